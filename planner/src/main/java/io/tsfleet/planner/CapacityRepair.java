package io.tsfleet.planner;

import java.util.ArrayList;
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
        // The CPU preferred first: the smallest that removes the whole excess, else the largest; then one at the edge
        // of the replica's ranges; then the lowest. The answer is the first CPU in that order that fits a receiver,
        // moved to the first receiver (least loaded, then lowest index) it fits. Usually the preferred CPU fits (it
        // is no heavier than the most room a receiver has): one scan finds it; only when it fits nowhere are all
        // candidates sorted and tried in order.
        int preferred = PlanningState.NONE;
        int candidates = 0;
        for (int c = s.cpusOf[from].nextSetBit(0); c >= 0; c = s.cpusOf[from].nextSetBit(c + 1)) {
            if (s.locked[c] || s.weight[c] > maxFitting) continue;
            candidates++;
            if (preferred == PlanningState.NONE || prefer(s, c, preferred, excess, from) < 0) preferred = c;
        }
        if (preferred == PlanningState.NONE) return false;
        int to = firstFitting(s, general, from, s.weight[preferred]);
        if (to != PlanningState.NONE) {
            s.assign(preferred, to);
            return true;
        }
        if (candidates == 1) return false;
        List<Integer> cpus = new ArrayList<>(candidates);
        for (int c = s.cpusOf[from].nextSetBit(0); c >= 0; c = s.cpusOf[from].nextSetBit(c + 1)) {
            if (!s.locked[c] && !(s.weight[c] > maxFitting)) cpus.add(c);
        }
        cpus.sort((x, y) -> prefer(s, x, y, excess, from));
        // Bounded: |cpus| x |receivers| checks.
        for (int c : cpus) {
            to = firstFitting(s, general, from, s.weight[c]);
            if (to != PlanningState.NONE) {
                s.assign(c, to);
                return true;
            }
        }
        return false;
    }

    /** The order of preference of CPUs to move off {@code from}: negative when {@code x} comes before {@code y}. */
    private static int prefer(PlanningState s, int x, int y, double excess, int from) {
        double wx = s.weight[x], wy = s.weight[y];
        int order = Integer.compare(wx >= excess ? 0 : 1, wy >= excess ? 0 : 1);
        if (order != 0) return order;
        order = Double.compare(wx >= excess ? wx : -wx, wy >= excess ? wy : -wy);
        if (order != 0) return order;
        order = Integer.compare(interior(s, x, from), interior(s, y, from));
        return order != 0 ? order : Integer.compare(x, y);
    }

    private static int interior(PlanningState s, int cpu, int from) {
        return s.ownedBy(cpu - 1, from) && s.ownedBy(cpu + 1, from) ? 1 : 0;
    }

    /** The least loaded general replica other than {@code from} (the lowest index on a tie) that fits {@code w}, or NONE. */
    private static int firstFitting(PlanningState s, List<Integer> general, int from, double w) {
        int best = PlanningState.NONE;
        for (int r : general) {
            if (r == from || !s.fits(r, w)) continue;
            if (best == PlanningState.NONE || Double.compare(s.replicaLoad[r], s.replicaLoad[best]) < 0) best = r;
        }
        return best;
    }
}
