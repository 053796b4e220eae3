package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.counter.FleetCounts;
import io.tsfleet.coordinator.domain.fleet.FleetJournal;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.Handover;
import io.tsfleet.coordinator.domain.fleet.NodeJournal;
import io.tsfleet.coordinator.domain.fleet.AnnouncedNode;
import io.tsfleet.coordinator.domain.fleet.Release;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;

/**
 * What an operation did besides its answer, collected as data while its steps run (the way Kafka's group
 * coordinator returns records next to its response): audit events, each with the time and generation it happened
 * at, and counter increments. The reconciler reports into it as its {@link FleetJournal}. The coordinator
 * {@linkplain #drain() drains} it at the end of every operation and applies it to the audit log and its counts.
 */
final class Effects implements FleetJournal, NodeJournal {
    /** An event with the moment and the generation it happened at. */
    record Stamped(Instant time, long generation, FleetEvent event) {
    }

    /** The effects of one operation, in the order they happened. */
    record Drained(List<Stamped> events, FleetCounts counts) {
        boolean isEmpty() {
            return events.isEmpty() && counts.equals(FleetCounts.ZERO);
        }
    }

    private final Clock clock;
    private final Generations generations;
    private final List<Stamped> events = new ArrayList<>();
    private final EnumMap<FleetCounter, Long> counts = new EnumMap<>(FleetCounter.class);

    Effects(Clock clock, Generations generations) {
        this.clock = clock;
        this.generations = generations;
    }

    /** {@code event} happened at {@code now}, under the current generation. */
    void audit(Instant now, FleetEvent event) {
        events.add(new Stamped(now, generations.current(), event));
    }

    void count(FleetCounter counter) {
        counts.merge(counter, 1L, Long::sum);
    }

    /** Takes what was collected since the last call. */
    Drained drain() {
        Drained d = new Drained(List.copyOf(events), FleetCounts.of(counts));
        events.clear();
        counts.clear();
        return d;
    }

    // ------------------------------------------------------------------------------------------ the reconciler's reports

    @Override
    public void handoverStarted(Handover h) {
        count(FleetCounter.HANDOVERS_STARTED);
    }

    @Override
    public void handoverFenced(Handover h, long fence) {
        count(FleetCounter.CPUS_MOVED);
    }

    @Override
    public void handoverCompleted(Handover h) {
        count(FleetCounter.HANDOVERS_COMPLETED);
    }

    @Override
    public void handoverRolledBack(Handover h, String reason) {
        count(FleetCounter.HANDOVER_ROLLBACKS);
        audit(clock.instant(), new FleetEvent.HandoverRolledBack(h.cpu(), h.to(), h.from(), h.phase(), reason));
    }

    @Override
    public void ownershipTaken(int cpu, String replica, String reason) {
        count(FleetCounter.OWNERSHIP_TAKEN);
        // taking an uncovered CPU is routine (a fresh fleet), not an anomaly: counted, not audited
        if (!"uncovered".equals(reason)) audit(clock.instant(), new FleetEvent.OwnershipTaken(cpu, replica, reason));
    }

    @Override
    public void strayFenced(int cpu, String replica, long fence) {
        count(FleetCounter.STRAY_FENCES);
        audit(clock.instant(), new FleetEvent.StrayFenced(cpu, replica, fence));
    }

    @Override
    public void releaseStuck(Release r) {
        count(FleetCounter.STUCK_RELEASES);
        audit(clock.instant(), new FleetEvent.ReleaseStuck(r.cpu(), r.replica(), r.fence()));
    }

    // ------------------------------------------------------------------------------------------ the node registry's reports

    @Override
    public void nodeJoined(AnnouncedNode node) {
        count(FleetCounter.NODES_JOINED);
        audit(clock.instant(), new FleetEvent.NodeJoined(node.name(), node.bootId(), node.possibleCpus(), node.broker(), node.delayAccounting()));
    }

    @Override
    public void nodeRebooted(AnnouncedNode node, String previousBootId) {
        count(FleetCounter.NODE_REBOOTS);
        audit(clock.instant(), new FleetEvent.NodeRebooted(node.name(), previousBootId, node.bootId()));
    }

    @Override
    public void nodeExpired(String name, String bootId, Duration lease) {
        count(FleetCounter.NODE_EXPIRIES);
        audit(clock.instant(), new FleetEvent.NodeExpired(name, bootId, lease));
    }

    @Override
    public void nodeLeft(String name, String bootId) {
        count(FleetCounter.NODES_LEFT);
        audit(clock.instant(), new FleetEvent.NodeLeft(name, bootId));
    }

    @Override
    public void nodeRefusedAtLimit(String name, int limit) {
        count(FleetCounter.NODE_ANNOUNCEMENTS_REFUSED_NODE_LIMIT);
    }
}
