package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Instant;

/** What the coordinator knows about one live replica. Mutated only by the coordinator, under its lock. */
public final class Member {
    private final String id;
    private String incarnation;          // null for a member recovered from persistence and not yet heard from
    private String node;                 // the node the replica runs on, as it reports (null when unknown)
    private String zone;                 // its zone, as it reports (null when unknown)
    private String recoveredIncarnation; // the persisted incarnation of a recovered member (null: unknown)
    private MemberState state = MemberState.ACTIVE;
    private Instant joinedAt;
    private Instant lastHeartbeat;
    private long appliedGeneration;
    private CpuSet owned = CpuSet.EMPTY;
    private double capacityPerSecond;
    private double capacityCap = Double.POSITIVE_INFINITY; // set while the member overflows
    private long recordsTotal, lostTotal, enobufsTotal, duplicatesTotal;
    /** Records per second the replica kept (read and passed to its sink), smoothed over heartbeats; 0 while unknown. */
    private double deliveredPerSecond;
    private Instant losingSince;         // start of the current run of heartbeats with loss, or null
    private Instant lastLossAt;
    private boolean reported;            // has sent at least one heartbeat to this coordinator

    Member(String id, String incarnation, Instant now) {
        this.id = id;
        this.incarnation = incarnation;
        this.joinedAt = now;
        this.lastHeartbeat = now;
    }

    public String id() {
        return id;
    }

    public String incarnation() {
        return incarnation;
    }

    void incarnation(String value) {
        this.incarnation = value;
    }

    /**
     * The process this coordinator holds the member to be: its incarnation, or for a member recovered and not yet
     * heard from, the incarnation persisted with the assignment (null when the snapshot did not record one).
     */
    public String knownIncarnation() {
        return incarnation != null ? incarnation : recoveredIncarnation;
    }

    void recoveredIncarnation(String value) {
        this.recoveredIncarnation = value;
    }

    /** True for a member recovered from the persisted assignment that has not yet sent a heartbeat. */
    public boolean presumed() {
        return incarnation == null;
    }

    public MemberState state() {
        return state;
    }

    void state(MemberState value) {
        this.state = value;
    }

    /** The node the replica runs on, as its heartbeats say (null when unknown). */
    public String node() {
        return node;
    }

    /** The zone the replica runs in, as its heartbeats say (null when unknown). */
    public String zone() {
        return zone;
    }

    void location(String node, String zone) {
        this.node = node;
        this.zone = zone;
    }

    public boolean draining() {
        return state == MemberState.DRAINING;
    }

    public Instant joinedAt() {
        return joinedAt;
    }

    public Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    void lastHeartbeat(Instant value) {
        this.lastHeartbeat = value;
    }

    public long appliedGeneration() {
        return appliedGeneration;
    }

    void appliedGeneration(long value) {
        this.appliedGeneration = value;
    }

    /** The CPUs the replica reported being registered on. */
    public CpuSet owned() {
        return owned;
    }

    void owned(CpuSet value) {
        this.owned = value;
    }

    public double capacityPerSecond() {
        return capacityPerSecond;
    }

    void capacityPerSecond(double value) {
        this.capacityPerSecond = value;
    }

    /** The capacity used for planning: the measured one, capped at the observed load while the replica overflows. */
    public double planningCapacity() {
        if (capacityCap == Double.POSITIVE_INFINITY) return capacityPerSecond;
        return capacityPerSecond > 0 ? Math.min(capacityPerSecond, capacityCap) : capacityCap;
    }

    double capacityCap() {
        return capacityCap;
    }

    void capacityCap(double value) {
        this.capacityCap = value;
    }

    public double deliveredPerSecond() {
        return deliveredPerSecond;
    }

    void deliveredPerSecond(double value) {
        this.deliveredPerSecond = value;
    }

    public long recordsTotal() {
        return recordsTotal;
    }

    public long lostTotal() {
        return lostTotal;
    }

    public long enobufsTotal() {
        return enobufsTotal;
    }

    public long duplicatesTotal() {
        return duplicatesTotal;
    }

    void totals(long records, long lost, long enobufs, long duplicates) {
        this.recordsTotal = records;
        this.lostTotal = lost;
        this.enobufsTotal = enobufs;
        this.duplicatesTotal = duplicates;
    }

    public Instant losingSince() {
        return losingSince;
    }

    void losingSince(Instant value) {
        this.losingSince = value;
    }

    boolean reported() {
        return reported;
    }

    void reported(boolean value) {
        this.reported = value;
    }

    public Instant lastLossAt() {
        return lastLossAt;
    }

    void lastLossAt(Instant value) {
        this.lastLossAt = value;
    }
}
