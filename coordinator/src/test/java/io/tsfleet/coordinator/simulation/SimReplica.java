package io.tsfleet.coordinator.simulation;

import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A listener replica that follows the directive contract of {@link ReplicaDirective} exactly:
 * <ul>
 *   <li>a directive older than the applied generation is ignored;</li>
 *   <li>CPUs in the target are registered and their records kept;</li>
 *   <li>a registered CPU that left the target without a fence is held: its records are kept back until either
 *       it re-enters the target (all kept) or a fence arrives (below the fence kept, the rest discarded);</li>
 *   <li>after a fence it keeps records below the fence, discards the rest, deregisters once it has seen
 *       {@code seq >= fence - 1}, and reports the CPU in {@code released};</li>
 *   <li>it reports the first sequence number of each acquired CPU for one lease after receiving it, and of every
 *       registered CPU that is not in its target (so that a stray registration can be fenced off).</li>
 * </ul>
 * Capacity: a token bucket; records beyond it are dropped (lost, counted per CPU, and an ENOBUFS episode). A
 * fenced CPU that never sees {@code fence - 1} is released after a timeout, as the listener does.
 */
final class SimReplica {
    final String id;
    final String incarnation;
    private final Ledger ledger;
    private final double capacity;
    private final long leaseMillis;

    boolean alive = true;
    boolean draining;
    long drainingSinceMillis = -1;
    private long appliedGeneration;
    private CpuSet target = CpuSet.EMPTY;
    private final TreeMap<Integer, CpuState> registered = new TreeMap<>();
    private final Set<Integer> releasedSinceHeartbeat = new TreeSet<>();
    private double tokens;
    private long recordsTotal, lostTotal, enobufsTotal, duplicatesTotal;
    private boolean congested;
    private long lastHeartbeatMillis;
    final Map<Long, String> directivesSeen = new HashMap<>(); // generation -> directive content (consistency check)
    int staleDirectivesIgnored;

    private static final class CpuState {
        Long firstSeq;
        long firstSeqAtMillis;
        long acquiredAtMillis;
        Long fence;
        long fencedAtMillis;
        Long lastSeq;
        long seqAtHeartbeat = -1;
        long lostInInterval;
        final List<Long> held = new ArrayList<>();
    }

    SimReplica(String id, String incarnation, Ledger ledger, double capacity, long leaseMillis, long nowMillis) {
        this.id = id;
        this.incarnation = incarnation;
        this.ledger = ledger;
        this.capacity = capacity;
        this.leaseMillis = leaseMillis;
        this.tokens = capacity;
        this.lastHeartbeatMillis = nowMillis;
    }

    boolean registeredOn(int cpu) {
        return alive && registered.containsKey(cpu);
    }

    Set<Integer> registeredCpus() {
        return alive ? registered.keySet() : Set.of();
    }

    long appliedGeneration() {
        return appliedGeneration;
    }

    /** Refills the token bucket (called every simulation tick). */
    void refill(double seconds) {
        tokens = Math.min(capacity, tokens + capacity * seconds);
    }

    /** The kernel delivers an exit of {@code cpu}. */
    void receive(int cpu, long seq, int nowMillis) {
        CpuState st = registered.get(cpu);
        if (st == null) return;
        st.lastSeq = seq;
        if (tokens < 1) {
            ledger.flag(cpu, seq, Ledger.OVERFLOW);
            st.lostInInterval++;
            lostTotal++;
            if (!congested) enobufsTotal++;
            congested = true;
            return;
        }
        congested = false;
        tokens -= 1;
        recordsTotal++;
        if (st.firstSeq == null) {
            st.firstSeq = seq;
            st.firstSeqAtMillis = nowMillis;
        }
        if (st.fence != null) {
            if (Serial.less(seq, st.fence)) ledger.kept(cpu, seq, id, nowMillis);
            if (!Serial.less(seq, Serial.minusOne(st.fence))) deregister(cpu);
        } else if (target.contains(cpu)) {
            ledger.kept(cpu, seq, id, nowMillis);
        } else {
            st.held.add(seq);
        }
    }

    private void deregister(int cpu) {
        registered.remove(cpu);
        releasedSinceHeartbeat.add(cpu);
    }

    void apply(ReplicaDirective d, int nowMillis) {
        if (!alive) return;
        if (d.generation() < appliedGeneration) {
            staleDirectivesIgnored++;
            return;
        }
        appliedGeneration = d.generation();
        try {
            target = CpuSet.parse(d.target(Heartbeats.NODE).targetCpus());
        } catch (CpulistParseException e) {
            throw new AssertionError("coordinator sent a bad cpulist: " + d.target(Heartbeats.NODE).targetCpus(), e);
        }
        target.forEach(c -> {
            CpuState st = registered.get(c);
            if (st == null) {
                st = new CpuState();
                st.acquiredAtMillis = nowMillis;
                registered.put(c, st);
            } else {
                st.fence = null;
                for (long seq : st.held) ledger.kept(c, seq, id, nowMillis);
                st.held.clear();
            }
        });
        for (Map.Entry<Integer, Long> e : d.target(Heartbeats.NODE).releaseFences().entrySet()) {
            int c = e.getKey();
            CpuState st = registered.get(c);
            if (st == null || target.contains(c) || st.fence != null) continue;
            long fence = e.getValue();
            st.fence = fence;
            st.fencedAtMillis = nowMillis;
            for (long seq : st.held) if (Serial.less(seq, fence)) ledger.kept(c, seq, id, nowMillis);
            st.held.clear();
            if (st.lastSeq != null && !Serial.less(st.lastSeq, Serial.minusOne(fence))) deregister(c);
        }
    }

    /**
     * A fenced CPU whose {@code fence - 1} never arrives (all its records are dropped by overflow) is released
     * anyway after the handover timeout, as the listener does ({@code tsfleet_listener_releases_forced_total}).
     */
    void forceStaleReleases(int nowMillis) {
        List<Integer> stale = new ArrayList<>();
        registered.forEach((c, st) -> {
            if (st.fence != null && nowMillis - st.fencedAtMillis > FORCED_RELEASE_MS) stale.add(c);
        });
        stale.forEach(this::deregister);
    }

    static final long FORCED_RELEASE_MS = 10_000;

    ReplicaHeartbeat heartbeat(int nowMillis) {
        double seconds = Math.max(0.001, (nowMillis - lastHeartbeatMillis) / 1000.0);
        lastHeartbeatMillis = nowMillis;
        List<Double> rates = new ArrayList<>();
        List<Long> lost = new ArrayList<>();
        Map<Integer, Long> firstSeqs = new TreeMap<>();
        CpuSet.Builder owned = CpuSet.builder();
        for (Map.Entry<Integer, CpuState> e : registered.entrySet()) {
            CpuState st = e.getValue();
            owned.add(e.getKey());
            long delta = 0;
            if (st.lastSeq != null) {
                delta = st.seqAtHeartbeat < 0 ? 0 : (st.lastSeq - st.seqAtHeartbeat) & 0xFFFF_FFFFL;
                st.seqAtHeartbeat = st.lastSeq;
            }
            rates.add(delta / seconds);
            lost.add(st.lostInInterval);
            st.lostInInterval = 0;
            boolean recentlyAcquired = st.firstSeq != null && nowMillis - st.firstSeqAtMillis <= leaseMillis;
            boolean leavingOrStray = !target.contains(e.getKey());
            if (st.firstSeq != null && (recentlyAcquired || leavingOrStray)) firstSeqs.put(e.getKey(), st.firstSeq);
        }
        String released = CpuSet.of(releasedSinceHeartbeat.stream().mapToInt(Integer::intValue).toArray()).toCpulist();
        releasedSinceHeartbeat.clear();
        return Heartbeats.local(id, incarnation, appliedGeneration, draining ? ReplicaHeartbeat.DRAINING : ReplicaHeartbeat.ACTIVE,
                owned.build().toCpulist(), capacity, rates, lost, recordsTotal, lostTotal, enobufsTotal, duplicatesTotal, firstSeqs, released);
    }

    /** The process dies: registrations vanish, held records are lost with it. */
    void crash() {
        alive = false;
        for (Map.Entry<Integer, CpuState> e : registered.entrySet()) {
            for (long seq : e.getValue().held) ledger.flag(e.getKey(), seq, Ledger.CRASH_HELD);
        }
        registered.clear();
    }

    boolean drainedOut() {
        return draining && target.isEmpty() && registered.isEmpty();
    }

    /** Records still held (undecided) at the end of a run. */
    Set<Long> heldOn(int cpu) {
        CpuState st = registered.get(cpu);
        return st == null ? Set.of() : new HashSet<>(st.held);
    }

    CpuSet target() {
        return target;
    }
}
