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
        // Every CPU starts at its current live owner unless that one drains (only draining replicas left: they keep
        // theirs); PlanningState does this while it reads the current masks.
        PlanningState s = new PlanningState(input);
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
        if (s.uncovered > 0) {
            for (int k = 0; k < s.rangeStart.length; k++) {
                for (int c = s.rangeStart[k], end = s.rangeEnd[k]; c < end; c++) {
                    if (s.owner[c] == PlanningState.NONE) unplaced.add(c);
                }
            }
        }
        Map<String, CpuSet> masks = new HashMap<>();
        Map<String, Double> projected = new HashMap<>();
        Set<String> over = new HashSet<>();
        for (int r = 0; r < s.replicaCount(); r++) {
            // The replica's CPUs range by range, in ascending order (its true load adds them in that order).
            SlotBits owned = s.cpusOf[r];
            // A replica that keeps exactly its current mask (nothing in, nothing out) gets that very CpuSet back.
            boolean unchanged = s.current[r] != null && s.currentSize[r] == owned.cardinality();
            CpuSet.Builder mask = unchanged ? null : CpuSet.builder();
            // A new mask is built relative to the word of its lowest CPU and shifted into place once: a CpuSet's
            // bitmap starts at CPU 0, so building it in place would allocate that bitmap twice (builder and copy).
            int lowest = owned.nextSetBit(0);
            int offset = lowest < 0 ? 0 : lowest & ~63;
            double trueLoad = 0;
            for (int start = lowest; start >= 0; ) {
                int end = owned.nextClearBit(start) - 1;
                if (!unchanged) mask.addRange(start - offset, end - offset);
                for (int c = start; c <= end; c++) {
                    trueLoad += s.load[c];
                    int before = s.original[c];
                    if (before != PlanningState.NONE && before != r) moves.add(new CpuMove(c, s.ids[before], s.ids[r]));
                    if (unchanged && before != r) {
                        unchanged = false; // a CPU moved in: build the mask after all, from the ranges so far
                        mask = CpuSet.builder();
                        for (int x = lowest; x >= 0 && x < start; x = owned.nextSetBit(x + 1)) mask.add(x - offset);
                        mask.addRange(start - offset, end - offset);
                    }
                }
                start = owned.nextSetBit(end + 1);
            }
            masks.put(s.ids[r], unchanged ? s.current[r] : owned.cardinality() == 0 ? CpuSet.EMPTY : mask.build().shift(offset));
            if (s.role[r] != ReplicaRole.DRAINING) projected.put(s.ids[r], trueLoad);
            if (s.role[r] == ReplicaRole.GENERAL && s.excess(r) > 0) over.add(s.ids[r]);
        }
        moves.sort(java.util.Comparator.comparingInt(CpuMove::cpu));
        return new TargetAssignment(masks, moves, hot, dedicated, over, projected, unplaced.build());
    }
}
