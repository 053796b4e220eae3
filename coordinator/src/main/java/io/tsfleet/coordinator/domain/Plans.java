package io.tsfleet.coordinator.domain;

import io.tsfleet.planner.CpuMove;
import io.tsfleet.planner.PlanningMode;
import io.tsfleet.planner.TargetAssignment;
import io.tsfleet.coordinator.domain.fleet.SlotSpace;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.coordinator.domain.view.MoveGroup;
import io.tsfleet.coordinator.domain.view.RebalanceResult;
import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Builds {@link RebalanceResult}s. */
final class Plans {
    private Plans() {
    }

    static RebalanceResult result(TargetAssignment plan, boolean applied, RebalanceTrigger trigger, PlanningMode mode, String assignor,
                                  long generation, double imbalanceBefore, double floor, SlotSpace space) {
        Map<String, CpuSet.Builder> groups = new TreeMap<>();
        for (CpuMove m : plan.moves()) groups.computeIfAbsent(m.from() + "\u0000" + m.to(), k -> CpuSet.builder()).add(m.cpu());
        List<MoveGroup> moves = new ArrayList<>();
        groups.forEach((k, b) -> {
            String[] ft = k.split("\u0000", 2);
            CpuSet cpus = b.build();
            moves.add(new MoveGroup(ft[0], ft[1], space.describe(cpus), cpus.size()));
        });
        Map<String, String> targets = new TreeMap<>();
        plan.masks().forEach((id, mask) -> targets.put(id, space.describe(mask)));
        return new RebalanceResult(applied, trigger.label(), assignor, mode.name().toLowerCase(Locale.ROOT), generation, moves, plan.moves().size(),
                imbalanceBefore, plan.imbalanceRatio(), floor, space.describe(plan.hotCpus()), List.copyOf(plan.overCapacity()), targets);
    }

    static RebalanceResult withGeneration(RebalanceResult r, long generation) {
        return new RebalanceResult(r.applied(), r.trigger(), r.assignor(), r.mode(), generation, r.moves(), r.movedCpus(),
                r.imbalanceBefore(), r.imbalanceAfter(), r.floor(), r.hotCpus(), r.overCapacity(), r.targets());
    }
}
