package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.FleetJournal;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.Handover;
import io.tsfleet.coordinator.domain.fleet.Release;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;

import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/** Counts what the reconciler and the policy do, and audits the anomalies. */
final class FleetCounters implements FleetJournal {
    private final AuditLog audit;
    private final Generations generations;
    private final Clock clock;
    private final EnumMap<RebalanceTrigger, Long> rebalances = new EnumMap<>(RebalanceTrigger.class);
    private long cpusMoved, handoversStarted, handoversCompleted, rollbacks, staleHeartbeats, strayFences, stuckReleases,
            persistFailures, ownershipTaken, skippedRebalances;

    FleetCounters(AuditLog audit, Generations generations, Clock clock) {
        this.audit = audit;
        this.generations = generations;
        this.clock = clock;
        for (RebalanceTrigger t : RebalanceTrigger.values()) rebalances.put(t, 0L);
    }

    @Override
    public void handoverStarted(Handover h) {
        handoversStarted++;
    }

    @Override
    public void handoverFenced(Handover h, long fence) {
        cpusMoved++;
    }

    @Override
    public void handoverCompleted(Handover h) {
        handoversCompleted++;
    }

    @Override
    public void handoverRolledBack(Handover h, String reason) {
        rollbacks++;
        audit.record(clock.instant(), generations.current(), AuditType.HANDOVER_ROLLED_BACK, h.to(), h.cpu(),
                "CPU " + h.cpu() + " stays with " + h.from() + " (" + h.phase().name().toLowerCase() + " phase): " + reason);
    }

    @Override
    public void ownershipTaken(int cpu, String replica, String reason) {
        ownershipTaken++;
        if (!"uncovered".equals(reason)) {
            audit.record(clock.instant(), generations.current(), AuditType.OWNERSHIP_TAKEN, replica, cpu, "CPU " + cpu + " taken by " + replica + ": " + reason);
        }
    }

    @Override
    public void strayFenced(int cpu, String replica, long fence) {
        strayFences++;
        audit.record(clock.instant(), generations.current(), AuditType.STRAY_FENCED, replica, cpu,
                replica + " is registered on CPU " + cpu + " without owning it; told to release it after fence " + fence);
    }

    @Override
    public void releaseStuck(Release r) {
        stuckReleases++;
        audit.record(clock.instant(), generations.current(), AuditType.RELEASE_STUCK, r.replica(), r.cpu(),
                r.replica() + " has not released CPU " + r.cpu() + " (fence " + r.fence() + ") in time; the new owner keeps it, the fence stays in its directive");
    }

    void rebalance(RebalanceTrigger trigger, int moves) {
        rebalances.merge(trigger, 1L, Long::sum);
    }

    void skippedRebalance() {
        skippedRebalances++;
    }

    long skippedRebalances() {
        return skippedRebalances;
    }

    void staleHeartbeat() {
        staleHeartbeats++;
    }

    private final Map<String, Long> refusedHeartbeats = new TreeMap<>();

    /** A heartbeat refused for {@code reason} (a label of {@code tsfleet_coordinator_heartbeats_refused_total}). */
    void refusedHeartbeat(String reason) {
        refusedHeartbeats.merge(reason, 1L, Long::sum);
    }

    Map<String, Long> refusedHeartbeats() {
        return new TreeMap<>(refusedHeartbeats);
    }

    void persistFailure() {
        persistFailures++;
    }

    Map<String, Long> rebalances() {
        Map<String, Long> out = new TreeMap<>();
        rebalances.forEach((k, v) -> out.put(k.label(), v));
        return out;
    }

    long cpusMoved() {
        return cpusMoved;
    }

    long handoversCompleted() {
        return handoversCompleted;
    }

    long rollbacks() {
        return rollbacks;
    }

    long staleHeartbeats() {
        return staleHeartbeats;
    }

    long strayFences() {
        return strayFences;
    }

    long stuckReleases() {
        return stuckReleases;
    }

    long persistFailures() {
        return persistFailures;
    }
}
