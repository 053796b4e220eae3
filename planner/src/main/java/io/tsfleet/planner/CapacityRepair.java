package io.tsfleet.planner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Step 4 (capacity, hard): while a general replica is above its headroom limit, move one of its CPUs to a
 * replica where it fits. The CPU is the smallest one that removes the whole excess, else the largest one; the
 * receiver is the least loaded replica that fits it.
 *
 * <p>Termination: every move lowers the total excess {@code sum(max(0, load - limit))} by
 * {@code min(weight, excess) > 0} (weights include the positive base weight) and never raises the receiver above
 * its limit, so no assignment repeats and the finite state space is exhausted at the latest; a replica from
 * which no move is possible is marked stuck and skipped (receivers only fill up, so it stays stuck). A step cap
 * guards against arithmetic surprises.
 */
final class CapacityRepair {
    private CapacityRepair() {
    }

    static boolean apply(PlanningState s, int stepCap) {
        List<Integer> general = s.replicasWithRole(ReplicaRole.GENERAL);
        boolean[] stuck = new boolean[s.replicaCount()];
        boolean changed = false;
        for (int step = 0; step < stepCap; step++) {
            int from = PlanningState.NONE;
            for (int r : general) {
                if (stuck[r] || s.excess(r) <= 0) continue;
                if (from == PlanningState.NONE || s.excess(r) > s.excess(from)) from = r;
            }
            if (from == PlanningState.NONE) break;
            if (!moveOne(s, general, from)) {
                stuck[from] = true;
            } else {
                changed = true;
            }
        }
        return changed;
    }

    private static boolean moveOne(PlanningState s, List<Integer> general, int from) {
        double excess = s.excess(from);
        // The most room any receiver has: a CPU heavier than that (with a margin for rounding) fits nowhere, and a
        // replica none of whose CPUs fits anywhere is stuck without sorting anything.
        double room = Double.NEGATIVE_INFINITY, scale = 1;
        for (int to : general) {
            if (to == from) continue;
            room = Math.max(room, s.limit[to] * (1 + 1e-12) - s.replicaLoad[to]);
            scale = Math.max(scale, Math.abs(s.replicaLoad[to]) + (Double.isInfinite(s.limit[to]) ? 0 : s.limit[to]));
        }
        double maxFitting = room + 1e-9 * scale;
        List<Integer> cpus = new ArrayList<>();
        for (int c = s.cpusOf[from].nextSetBit(0); c >= 0; c = s.cpusOf[from].nextSetBit(c + 1)) {
            if (!s.locked[c] && !(s.weight[c] > maxFitting)) cpus.add(c);
        }
        if (cpus.isEmpty()) return false;
        Comparator<Integer> preference = Comparator
                .<Integer>comparingInt(c -> s.weight[c] >= excess ? 0 : 1)
                .thenComparingDouble(c -> s.weight[c] >= excess ? s.weight[c] : -s.weight[c])
                .thenComparingInt(c -> s.ownedBy(c - 1, from) && s.ownedBy(c + 1, from) ? 1 : 0)
                .thenComparingInt(c -> c);
        cpus.sort(preference);
        List<Integer> receivers = new ArrayList<>(general);
        receivers.remove(Integer.valueOf(from));
        receivers.sort(Comparator.<Integer>comparingDouble(r -> s.replicaLoad[r]).thenComparingInt(r -> r));
        // Bounded: |cpus| x |receivers| checks.
        for (int c : cpus) {
            for (int to : receivers) {
                if (s.fits(to, s.weight[c])) {
                    s.assign(c, to);
                    return true;
                }
            }
        }
        return false;
    }
}
