package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.FleetLoad;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.LoadTracker;
import io.tsfleet.coordinator.domain.fleet.Member;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;
import io.tsfleet.coordinator.domain.fleet.SlotChanges;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.coordinator.domain.view.RebalanceResult;
import io.tsfleet.planner.CpuAssignor;
import io.tsfleet.planner.LoadStats;
import io.tsfleet.planner.PlanningInput;
import io.tsfleet.planner.PlanningMode;
import io.tsfleet.planner.SlotTopology;
import io.tsfleet.planner.ReplicaSlot;
import io.tsfleet.planner.TargetAssignment;
import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntSupplier;

/**
 * Makes plans: asks the assignor for a target assignment of the live members, with their pins and loads, and hands
 * it to the reconciler; a load-driven plan only when it clearly helps ({@link #planIfItHelps}).
 */
final class PlanMaker {
    private final CoordinatorSettings settings;
    private final CpuAssignor assignor;
    private final CpuTable table;
    private final Membership membership;
    private final Map<String, CpuSet> pins;
    private final LoadTracker loads;
    private final Reconciler reconciler;
    private final Generations generations;
    private final FleetLoad fleetLoad;
    private final SlotChanges slots;
    private final Instant startedAt;
    private final IntSupplier desiredReplicas;

    private TargetAssignment lastPlan;
    private boolean fullPlanPending;

    /**
     * @param fullPlanPending whether a full plan is due once loads are known (a fresh fleet: a recovered assignment was
     *                        planned already, and a load-driven change of it goes through the policy)
     * @param desiredReplicas the scaling recommendation's replica count, for the audit of a skipped rebalance
     */
    PlanMaker(FleetState fleet, CpuAssignor assignor, Instant startedAt, boolean fullPlanPending, IntSupplier desiredReplicas) {
        this.settings = fleet.settings();
        this.assignor = assignor;
        this.table = fleet.table();
        this.membership = fleet.membership();
        this.pins = fleet.pins();
        this.loads = fleet.loads();
        this.reconciler = fleet.reconciler();
        this.generations = fleet.generations();
        this.fleetLoad = fleet.fleetLoad();
        this.slots = fleet.slots();
        this.startedAt = startedAt;
        this.fullPlanPending = fullPlanPending;
        this.desiredReplicas = desiredReplicas;
    }

    /** Plans and applies the plan; audited and counted unless it is a membership plan that changed no target. */
    RebalanceResult plan(RebalanceTrigger trigger, PlanningMode mode, Instant now, Effects fx) {
        double before = fleetLoad.imbalance();
        double floor = fleetLoad.floor();
        TargetAssignment plan = assignor.assign(input(mode, trigger == RebalanceTrigger.OVERFLOW));
        if (mode == PlanningMode.FULL) fullPlanPending = false;
        Map<String, CpuSet> previousTargets = table.targetMasks();
        reconciler.applyPlan(plan);
        lastPlan = plan;
        boolean changed = !previousTargets.equals(table.targetMasks());
        if (changed || trigger != RebalanceTrigger.MEMBERSHIP) {
            fx.count(FleetCounter.rebalances(trigger));
            fx.audit(now, new FleetEvent.PlanMade(trigger, mode, plan.moves().size(), before, plan.imbalanceRatio(), floor,
                    plan.hotCpus(), plan.overCapacity()));
        }
        return Plans.result(plan, true, trigger, mode, assignor.name(), generations.current(), before, floor, slots.space());
    }

    /**
     * A load-driven plan is applied only if it clearly improves what triggered it: the total overload above the
     * headroom limits drops by at least 10 % (overflow, capacity), or the imbalance by at least 2 % (imbalance).
     * Otherwise moving CPUs cannot help (the fleet is too small, or the load is at its floor): nothing moves, the
     * skip is audited, and the scaling recommendation is the remedy. This keeps an overloaded fleet from shuffling
     * CPUs back and forth as overflow caps come and go. Returns whether the plan was applied.
     */
    boolean planIfItHelps(RebalanceTrigger trigger, Instant now, Effects fx) {
        PlanningInput input = input(PlanningMode.FULL, trigger == RebalanceTrigger.OVERFLOW);
        TargetAssignment plan = assignor.assign(input);
        double before, after;
        boolean helps;
        if (trigger == RebalanceTrigger.IMBALANCE) {
            before = LoadStats.imbalance(input.current(), input);
            after = LoadStats.imbalance(plan.masks(), input);
            helps = after < before / 1.02;
        } else {
            before = LoadStats.excess(input.current(), input);
            after = LoadStats.excess(plan.masks(), input);
            helps = before > 0 && after < before * 0.9;
        }
        if (plan.moves().isEmpty() || !helps) {
            fx.count(FleetCounter.REBALANCES_SKIPPED);
            fx.audit(now, new FleetEvent.RebalanceSkipped(trigger, plan.moves().isEmpty(), before, after, desiredReplicas.getAsInt(),
                    plan.hotCpus()));
            return false;
        }
        plan(trigger, PlanningMode.FULL, now, fx);
        return true;
    }

    /** A full plan of the current state that is not applied ({@code POST /rebalance?dryRun=true}). */
    RebalanceResult dryRun() {
        TargetAssignment plan = assignor.assign(input(PlanningMode.FULL, false));
        return Plans.result(plan, false, RebalanceTrigger.ADMIN, PlanningMode.FULL, assignor.name(), generations.current(),
                fleetLoad.imbalance(), fleetLoad.floor(), slots.space());
    }

    /** Full planning once the loads are warm, coverage only before. */
    PlanningMode mode(Instant now) {
        return loadsWarm(now) ? PlanningMode.FULL : PlanningMode.COVERAGE_ONLY;
    }

    boolean loadsWarm(Instant now) {
        return !now.isBefore(startedAt.plus(settings.policy().loadWarmup()));
    }

    boolean fullPlanPending() {
        return fullPlanPending;
    }

    /** The last plan made (null before the first). */
    TargetAssignment lastPlan() {
        return lastPlan;
    }

    /** {@code overflow}: an overflow plan, which counts every CPU with at least its latest rate ({@link LoadTracker#currentLoads}). */
    private PlanningInput input(PlanningMode mode, boolean overflow) {
        List<ReplicaSlot> slots = new ArrayList<>();
        for (Member m : membership.all()) slots.add(new ReplicaSlot(m.id(), m.planningCapacity(), m.draining(), m.node(), m.zone()));
        Map<String, CpuSet> livePins = new TreeMap<>();
        pins.forEach((id, cpus) -> {
            if (membership.contains(id)) livePins.put(id, cpus);
        });
        return new PlanningInput(table.possible(), slots, table.headingMasks(), overflow ? loads.currentLoads() : loads.loads(), livePins,
                settings.planner(), mode, planningTopology());
    }

    /** A cluster fleet plans with locality; a static fleet without, as before nodes existed. */
    private SlotTopology planningTopology() {
        return slots.staticFleet() ? SlotTopology.NONE : slots.space().topology();
    }
}
