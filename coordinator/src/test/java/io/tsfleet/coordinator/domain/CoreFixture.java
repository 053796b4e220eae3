package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.HeartbeatReport;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import io.tsfleet.protocol.testing.ManualClock;

import java.time.Instant;
import java.util.Map;

/** The coordinator's state and steps, wired as {@link Coordinator} wires them, for tests of one step at a time. */
final class CoreFixture {
    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final CoordinatorSettings settings;
    final FleetState fleet;
    final CpuTable table;
    final Membership membership;
    final Map<String, CpuSet> pins;
    final Generations generations;
    final Effects effects;
    final Reconciler reconciler;
    final Departures departures;
    final LeaseKeeping leases;
    final HeartbeatStep heartbeats;
    final PlanMaker plans;
    final PlanTriggers triggers;
    final AdminActions admin;

    CoreFixture(CoordinatorSettings settings) {
        this.settings = settings;
        fleet = FleetState.create(settings, 0, clock);
        table = fleet.table();
        membership = fleet.membership();
        pins = fleet.pins();
        generations = fleet.generations();
        effects = fleet.effects();
        reconciler = fleet.reconciler();
        departures = new Departures(fleet);
        leases = new LeaseKeeping(fleet, departures, clock.instant());
        heartbeats = new HeartbeatStep(fleet, true, leases, departures);
        plans = new PlanMaker(fleet, new StickyBalancedAssignor(), clock.instant(), true, () -> 1);
        triggers = new PlanTriggers(fleet, plans);
        admin = new AdminActions(fleet, departures);
    }

    CoreFixture() {
        this(CoordinatorSettings.defaults(CpuSet.range(0, 7)));
    }

    HeartbeatStep.Outcome heartbeat(ReplicaHeartbeat hb) {
        HeartbeatReport report = HeartbeatParser.parse(hb.replicaId(), hb, io.tsfleet.coordinator.domain.fleet.SlotSpace.staticNode(Heartbeats.NODE, table.possible()));
        return heartbeats.apply(report, clock.instant(), effects);
    }
}
