package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The live members by id (sorted, so that every iteration is deterministic): joins, heartbeats, leases, drains
 * and the overflow evidence the policy needs.
 */
public final class Membership {
    private final TreeMap<String, Member> members = new TreeMap<>();
    /** Incarnations that a newer process of the same id replaced (the last few per id). */
    private final Map<String, java.util.ArrayDeque<String>> retired = new TreeMap<>();
    private static final int RETIRED_PER_ID = 8;

    /** The live map itself (shared with the reconciler). */
    public Map<String, Member> members() {
        return members;
    }

    public Member get(String id) {
        return members.get(id);
    }

    public boolean contains(String id) {
        return id != null && members.containsKey(id);
    }

    public Collection<Member> all() {
        return members.values();
    }

    public Member join(String id, String incarnation, Instant now) {
        Member m = new Member(id, incarnation, now);
        members.put(id, m);
        return m;
    }

    /**
     * A member recovered from the persisted assignment: presumed alive with its persisted mask for one lease from
     * now, so that a coordinator restart does not reshuffle replicas that simply have not heartbeated yet.
     * {@code incarnation} is the process it was when the assignment was persisted (null: not recorded).
     */
    public Member presume(String id, CpuSet owned, boolean draining, String incarnation, Instant now) {
        Member m = new Member(id, null, now);
        m.recoveredIncarnation(incarnation);
        m.owned(owned);
        if (draining) m.state(MemberState.DRAINING);
        members.put(id, m);
        return m;
    }

    public void confirm(Member m, String incarnation) {
        m.incarnation(incarnation);
    }

    public void remove(String id) {
        members.remove(id);
    }

    /** Remembers that {@code incarnation} of {@code id} was replaced by a newer process. */
    public void retire(String id, String incarnation) {
        if (incarnation == null) return;
        java.util.ArrayDeque<String> q = retired.computeIfAbsent(id, k -> new java.util.ArrayDeque<>());
        q.remove(incarnation);
        q.addLast(incarnation);
        while (q.size() > RETIRED_PER_ID) q.removeFirst();
    }

    /** Whether {@code incarnation} of {@code id} has been replaced by a newer process. */
    public boolean isRetired(String id, String incarnation) {
        java.util.ArrayDeque<String> q = retired.get(id);
        return q != null && q.contains(incarnation);
    }

    public void drain(Member m) {
        m.state(MemberState.DRAINING);
    }

    /** Takes in a heartbeat's facts about the member itself; any heartbeat without loss ends a losing streak. */
    public void update(Member m, HeartbeatReport hb, Instant now) {
        update(m, hb, now, Duration.ZERO);
    }

    /**
     * Takes in a heartbeat's facts about the member itself. A heartbeat without loss ends a losing streak only when
     * the member has lost nothing for {@code lossQuiet} (the heartbeat interval): a replica heartbeats early during a
     * handover, and the short interval since its last report says nothing about whether it still overflows.
     */
    public void update(Member m, HeartbeatReport hb, Instant now, Duration lossQuiet) {
        boolean losing = hb.lostInThisInterval() > 0 || (m.reported() && hb.enobufsTotal() > m.enobufsTotal());
        if (m.reported() && m.lastHeartbeat() != null && hb.recordsTotal() >= m.recordsTotal()) {
            double seconds = java.time.Duration.between(m.lastHeartbeat(), now).toNanos() / 1e9;
            if (seconds > 0) {
                double rate = (hb.recordsTotal() - m.recordsTotal()) / seconds;
                m.deliveredPerSecond(m.deliveredPerSecond() > 0 ? 0.5 * rate + 0.5 * m.deliveredPerSecond() : rate);
            }
        }
        m.lastHeartbeat(now);
        m.location(hb.node(), hb.zone());
        m.appliedGeneration(hb.generation());
        m.owned(hb.owned());
        m.capacityPerSecond(hb.capacityPerSecond());
        m.totals(hb.recordsTotal(), hb.lostTotal(), hb.enobufsTotal(), hb.duplicatesTotal());
        m.reported(true);
        if (losing) {
            if (m.losingSince() == null) m.losingSince(now);
            m.lastLossAt(now);
        } else if (m.lastLossAt() == null || !now.isBefore(m.lastLossAt().plus(lossQuiet))) {
            m.losingSince(null);
        }
    }

    /** Members whose lease ran out (no heartbeat for longer than {@code lease}). */
    public List<Member> expired(Instant now, Duration lease) {
        List<Member> out = new ArrayList<>();
        for (Member m : members.values()) if (m.lastHeartbeat().plus(lease).isBefore(now)) out.add(m);
        return out;
    }

    /**
     * Members that have kept losing records for at least {@code sustain}. A capacity cap set during an overflow is
     * lifted once the member has not lost anything for {@code cooldown}.
     */
    public Set<String> overflowing(Instant now, Duration sustain, Duration cooldown) {
        Set<String> out = new TreeSet<>();
        for (Member m : members.values()) {
            if (m.losingSince() != null && !now.isBefore(m.losingSince().plus(sustain))) out.add(m.id());
            if (m.capacityCap() != Double.POSITIVE_INFINITY && m.lastLossAt() != null && now.isAfter(m.lastLossAt().plus(cooldown))) {
                m.capacityCap(Double.POSITIVE_INFINITY);
            }
        }
        return out;
    }

    /**
     * An overflowing member cannot sustain its current load, whatever capacity it measured: plan it with at most
     * that load as capacity, or with the rate it delivered while losing (records kept per second) when that is lower,
     * so the headroom moves a share of its CPUs away and leaves it room to read its backlog.
     */
    public void capCapacity(Member m, double currentLoad, Instant now) {
        if (m == null) return;
        // what it demonstrably sustains: the records it kept per second while losing, if lower than its load (a
        // load that counts a hot spot at its real rate says little about what the replica can take)
        double sustained = m.deliveredPerSecond() > 0 ? Math.min(currentLoad, m.deliveredPerSecond()) : currentLoad;
        m.capacityCap(Math.min(m.capacityCap(), Math.max(1.0, sustained)));
        m.losingSince(null);
    }
}
