package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.FleetLoad;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.HeartbeatAdmission;
import io.tsfleet.coordinator.domain.fleet.HeartbeatReport;
import io.tsfleet.coordinator.domain.fleet.LeaseJudge;
import io.tsfleet.coordinator.domain.fleet.LoadTracker;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;
import io.tsfleet.coordinator.domain.policy.RebalancePolicy;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import io.tsfleet.protocol.testing.ManualClock;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** The coordinator's state and steps, wired as {@link Coordinator} wires them, for tests of one step at a time. */
final class CoreFixture {
    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final Instant startedAt = clock.instant();
    final CoordinatorSettings settings;
    final CpuTable table;
    final Membership membership = new Membership();
    final Map<String, CpuSet> pins = new TreeMap<>();
    final LoadTracker loads;
    final Generations generations = new Generations(0);
    final Effects effects = new Effects(clock, generations);
    final Reconciler reconciler;
    final FleetLoad fleetLoad;
    final Departures departures;
    final LeaseKeeping leases;
    final HeartbeatStep heartbeats;
    final PlanMaker plans;
    final PlanTriggers triggers;
    final AdminActions admin;

    CoreFixture(CoordinatorSettings settings) {
        this.settings = settings;
        table = new CpuTable(settings.possibleCpus());
        loads = new LoadTracker(settings.possibleCpus().length(), settings.loadSmoothing());
        reconciler = new Reconciler(table, membership.members(), loads, generations, settings.reconciler(), effects);
        fleetLoad = new FleetLoad(table, membership, loads, settings.planner());
        departures = new Departures(membership, pins, reconciler);
        leases = new LeaseKeeping(new LeaseJudge(settings.lease(), startedAt), membership, departures, settings.lease());
        heartbeats = new HeartbeatStep(new HeartbeatAdmission(settings.lease(), settings.maxMembers(), true), membership, generations,
                leases, departures, table, loads, reconciler);
        plans = new PlanMaker(settings, new StickyBalancedAssignor(), table, membership, pins, loads, reconciler, generations, fleetLoad,
                startedAt, true, () -> 1);
        triggers = new PlanTriggers(settings.policy(), new RebalancePolicy(settings.policy()), plans, table, membership, reconciler, fleetLoad);
        admin = new AdminActions(membership, pins, departures, table.possible());
    }

    CoreFixture() {
        this(CoordinatorSettings.defaults(CpuSet.range(0, 7)));
    }

    HeartbeatStep.Outcome heartbeat(ReplicaHeartbeat hb) {
        HeartbeatReport report = HeartbeatParser.parse(hb.replicaId(), hb, table.possible());
        return heartbeats.apply(report, clock.instant(), effects);
    }
}
