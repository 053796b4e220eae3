package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.FleetLoad;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.LoadTracker;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;
import io.tsfleet.coordinator.domain.fleet.SlotChanges;
import io.tsfleet.coordinator.domain.fleet.SlotSpace;
import io.tsfleet.coordinator.domain.fleet.SnapshotCodec;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state a coordinator's steps share: who owns and who is meant to own each CPU ({@code table}), the members and
 * their pins, the per-CPU loads, the generation, the reconciler that moves CPUs make before break, and the
 * {@link Effects} of the operation running. One per {@link Coordinator}; plain mutable objects, used under the
 * service's lock.
 */
record FleetState(CoordinatorSettings settings, CpuTable table, Membership membership, Map<String, CpuSet> pins, LoadTracker loads,
                  Generations generations, Effects effects, Reconciler reconciler, FleetLoad fleetLoad, SlotChanges slots) {

    /** An empty fleet at {@code generation} (a recovered assignment is restored into it). */
    static FleetState create(CoordinatorSettings settings, long generation, Clock clock) {
        SlotSpace space = settings.staticFleet() ? SlotSpace.staticNode(settings.staticNode(), settings.possibleCpus()) : SlotSpace.EMPTY;
        CpuTable table = new CpuTable(space.slots());
        Membership membership = new Membership();
        LoadTracker loads = new LoadTracker(space.slots().length(), settings.loadSmoothing());
        Generations generations = new Generations(generation);
        Effects effects = new Effects(clock, generations);
        Reconciler reconciler = new Reconciler(table, membership.members(), loads, generations, settings.reconciler(), effects);
        Map<String, CpuSet> pins = new TreeMap<>();
        SlotChanges slots = new SlotChanges(space, settings.staticFleet(), table, membership, loads, pins, reconciler, generations);
        return new FleetState(settings, table, membership, pins, loads, generations, effects, reconciler,
                new FleetLoad(table, membership, loads, settings.planner()), slots);
    }

    /** Restores a persisted assignment into this empty state (its members presumed alive for one lease). */
    FleetEvent.Recovered restore(AssignmentSnapshot saved, Instant now) {
        slots.restore(SnapshotCodec.layout(saved));
        SnapshotCodec.Restored r = SnapshotCodec.restore(saved, table, membership, pins, loads, now);
        return new FleetEvent.Recovered(saved.generation(), r.replicas(), r.handovers(), r.releases(), saved.loads().size(), r.droppedCpus());
    }

    /** What the store keeps: the assignment, the members' incarnations, the pins and the loads, at the current generation. */
    AssignmentSnapshot snapshot() {
        return SnapshotCodec.snapshot(generations.current(), table, membership, pins, loads, slots);
    }
}
