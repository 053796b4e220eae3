package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The default assignor: sticky (every CPU starts at its current live owner, as Kafka's {@code Keep} step),
 * then, in the order of the planner's priorities:
 * <ol>
 *   <li>pins ({@link PinApplication}) and hot-CPU isolation ({@link HotCpuIsolation});</li>
 *   <li>coverage: every CPU without an owner gets one, run by run ({@link CoveragePlacement});</li>
 *   <li>capacity: no replica above its headroom limit when a move can fix it ({@link CapacityRepair});</li>
 *   <li>balance with the fewest moves and compact masks ({@link LoadBalancing}).</li>
 * </ol>
 * Steps 3 and 4 repeat until neither moves anything. Termination of that outer loop: capacity repair strictly
 * lowers the total excess, balancing never raises it and strictly lowers {@code sum(load^2)}, so the pair
 * (total excess, sum of squares) strictly decreases in lexicographic order with every move and no state repeats.
 * Every stopping condition is a property of the state alone, so planning on the plan's own output with the same
 * loads moves nothing (a fixed point). No randomness and no hash-order iteration: deterministic.
 */
public final class StickyBalancedAssignor implements CpuAssignor {
    public static final String NAME = "sticky-balanced";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TargetAssignment assign(PlanningInput input) {
        PlanningState s = new PlanningState(input);
        if (s.replicasWithRole(ReplicaRole.DRAINING).size() == s.replicaCount()) {
            // Only draining replicas are left: coverage beats draining, they keep what they have.
            java.util.Arrays.fill(s.role, ReplicaRole.GENERAL);
        }
        for (int c = s.possible.nextCpu(0); c >= 0; c = s.possible.nextCpu(c + 1)) {
            int o = s.original[c];
            if (o != PlanningState.NONE && s.role[o] != ReplicaRole.DRAINING) s.assign(c, o);
        }
        PinApplication.apply(s, input);
        CpuSet hot = HotCpuIsolation.hotCpus(s);
        Map<String, Integer> dedicated = input.mode() == PlanningMode.FULL ? HotCpuIsolation.apply(s, hot) : Map.of();
        CoveragePlacement.apply(s);
        if (input.mode() == PlanningMode.FULL) {
            int cap = 16 * Math.max(1, input.possibleCpus().size()) + 1024;
            for (int round = 0; round < cap; round++) {
                boolean changed = CapacityRepair.apply(s, cap);
                changed |= LoadBalancing.apply(s, cap);
                if (!changed) break;
            }
        }
        return result(s, hot, dedicated);
    }

    private static TargetAssignment result(PlanningState s, CpuSet hot, Map<String, Integer> dedicated) {
        List<CpuMove> moves = new ArrayList<>();
        CpuSet.Builder unplaced = CpuSet.builder();
        double[] trueLoad = new double[s.replicaCount()];
        for (int c = s.possible.nextCpu(0); c >= 0; c = s.possible.nextCpu(c + 1)) {
            int o = s.owner[c];
            if (o == PlanningState.NONE) {
                unplaced.add(c);
                continue;
            }
            trueLoad[o] += s.load[c];
            int before = s.original[c];
            if (before != PlanningState.NONE && before != o) moves.add(new CpuMove(c, s.ids[before], s.ids[o]));
        }
        Map<String, CpuSet> masks = new HashMap<>();
        Map<String, Double> projected = new HashMap<>();
        Set<String> over = new HashSet<>();
        for (int r = 0; r < s.replicaCount(); r++) {
            masks.put(s.ids[r], mask(s.cpusOf[r]));
            if (s.role[r] != ReplicaRole.DRAINING) projected.put(s.ids[r], trueLoad[r]);
            if (s.role[r] == ReplicaRole.GENERAL && s.excess(r) > 0) over.add(s.ids[r]);
        }
        return new TargetAssignment(masks, moves, hot, dedicated, over, projected, unplaced.build());
    }

    /** The CPUs of a replica as a {@code CpuSet}, range by range (one allocation of the right size). */
    private static CpuSet mask(SlotBits owned) {
        int first = owned.nextSetBit(0);
        if (first < 0) return CpuSet.EMPTY;
        CpuSet.Builder b = CpuSet.builder();
        for (int start = first; start >= 0; ) {
            int end = owned.nextClearBit(start) - 1;
            b.addRange(start, end);
            start = owned.nextSetBit(end + 1);
        }
        return b.build();
    }
}
