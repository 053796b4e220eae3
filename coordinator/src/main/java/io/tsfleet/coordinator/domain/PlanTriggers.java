package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.FleetLoad;
import io.tsfleet.coordinator.domain.fleet.Member;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;
import io.tsfleet.coordinator.domain.policy.FleetObservation;
import io.tsfleet.coordinator.domain.policy.PolicySettings;
import io.tsfleet.coordinator.domain.policy.RebalancePolicy;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.planner.PlanningMode;
import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Which plan a tick makes, if any, in this order: a membership plan when a member left or a CPU needs an owner; the
 * one full plan of a fresh fleet once its loads are warm; else whatever the rebalancing policy asks for (overflow,
 * capacity, imbalance), made only if it helps ({@link PlanMaker#planIfItHelps}).
 */
final class PlanTriggers {
    private final PolicySettings settings;
    private final RebalancePolicy policy;
    private final PlanMaker plans;
    private final CpuTable table;
    private final Membership membership;
    private final Reconciler reconciler;
    private final FleetLoad fleetLoad;

    PlanTriggers(FleetState fleet, PlanMaker plans) {
        this.settings = fleet.settings().policy();
        this.policy = new RebalancePolicy(settings);
        this.plans = plans;
        this.table = fleet.table();
        this.membership = fleet.membership();
        this.reconciler = fleet.reconciler();
        this.fleetLoad = fleet.fleetLoad();
    }

    /** {@code membershipChanged}: a member left in this tick. */
    void planOnTick(boolean membershipChanged, Instant now, Effects fx) {
        Set<String> overflowing = membership.overflowing(now, settings.overflowSustain(), settings.cooldown());
        if (membershipChanged || needsCoverage()) {
            plans.plan(RebalanceTrigger.MEMBERSHIP, plans.mode(now), now, fx);
        } else if (plans.fullPlanPending() && plans.loadsWarm(now)) {
            plans.plan(RebalanceTrigger.MEMBERSHIP, PlanningMode.FULL, now, fx);
        } else if (plans.loadsWarm(now)) {
            FleetObservation o = new FleetObservation(fleetLoad.imbalance(), fleetLoad.floor(), overflowing, fleetLoad.overHeadroom(),
                    reconciler.inFlight() > 0);
            Optional<RebalanceTrigger> trigger = policy.evaluate(o, now);
            if (trigger.isPresent()) {
                if (trigger.get() == RebalanceTrigger.OVERFLOW) {
                    for (String id : overflowing) membership.capCapacity(membership.get(id), fleetLoad.replicaLoad(id), now);
                }
                boolean applied = plans.planIfItHelps(trigger.get(), now, fx);
                policy.loadRebalanceDone(now, applied && trigger.get() == RebalanceTrigger.OVERFLOW);
            }
        }
    }

    /** A CPU without a live owner whose target is not a live, non-draining member: the plan must give it one. */
    boolean needsCoverage() {
        // only slots without a member as owner can need one: those are the possible slots no member owns
        CpuSet open = table.possible().minus(table.ownedByAny(membership.members().keySet()));
        for (int c = open.nextCpu(0); c >= 0; c = open.nextCpu(c + 1)) {
            String target = table.target(c);
            Member t = target == null ? null : membership.get(target);
            if (t == null || t.draining()) return !membership.all().isEmpty();
        }
        return false;
    }
}
