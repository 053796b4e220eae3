package io.tsfleet.planner;

import java.util.List;

/**
 * Step 3 (coverage, hard): every possible CPU without an owner gets one. CPUs are visited in ascending order and
 * a CPU goes preferably to the owner of its left neighbour, then of its right neighbour, while that replica is
 * below the fair share and within its headroom limit; otherwise to the least loaded replica that fits; otherwise
 * (no feasible placement) to the replica with the most headroom left. Filling run by run keeps masks contiguous:
 * on an empty fleet the result is one range per replica, and a dead replica's range is absorbed by its
 * neighbours. Loop: one pass over the CPUs, each assigned once; terminates.
 */
final class CoveragePlacement {
    private CoveragePlacement() {
    }

    static void apply(PlanningState s) {
        List<Integer> receivers = s.replicasWithRole(ReplicaRole.GENERAL);
        boolean generalAvailable = !receivers.isEmpty();
        if (!generalAvailable) {
            // No general replica: coverage beats pins and dedication.
            receivers = s.replicasWithRole(ReplicaRole.PINNED);
            receivers.addAll(s.replicasWithRole(ReplicaRole.DEDICATED));
            receivers.sort(Integer::compare);
        }
        if (receivers.isEmpty()) return;
        double unlocked = 0;
        for (int c = s.possible.nextCpu(0); c >= 0; c = s.possible.nextCpu(c + 1)) {
            if (!s.locked[c]) unlocked += s.weight[c];
        }
        double fairShare = unlocked / receivers.size();
        final List<Integer> pool = receivers;
        // The rounding error of the runs closed so far, carried into the next run (as a prefix-sum partition
        // does), so that equal CPUs split into contiguous runs whose sizes differ by at most one.
        double carry = 0;
        int run = PlanningState.NONE;
        for (int c = s.possible.nextCpu(0); c >= 0; c = s.possible.nextCpu(c + 1)) {
            if (s.owner[c] != PlanningState.NONE) {
                run = PlanningState.NONE;
                continue;
            }
            double w = s.weight[c];
            int closed = PlanningState.NONE;
            if (run != PlanningState.NONE && s.replicaLoad[run] + w / 2 > fairShare + carry) {
                carry += fairShare - s.replicaLoad[run];
                closed = run;
                run = PlanningState.NONE;
            }
            // When every replica already has its fair share (the rounding rest at the end), a neighbour takes it.
            double share = allFull(s, pool, w, fairShare + carry) ? Double.POSITIVE_INFINITY : fairShare + carry;
            int left = s.ownerOrNone(c - 1);
            int chosen = left == closed ? PlanningState.NONE : neighbourIfAccepting(s, left, w, share, generalAvailable);
            if (chosen == PlanningState.NONE) chosen = neighbourIfAccepting(s, s.ownerOrNone(c + 1), w, share, generalAvailable);
            if (chosen == PlanningState.NONE) {
                chosen = leastLoadedFitting(s, pool, w);
                // A neighbour within half a CPU of the least loaded replica is as good and keeps masks contiguous.
                if (chosen != PlanningState.NONE) {
                    int right = s.ownerOrNone(c + 1);
                    if (left != closed && nearlyAsGood(s, left, chosen, w, pool)) chosen = left;
                    else if (nearlyAsGood(s, right, chosen, w, pool)) chosen = right;
                }
            }
            if (chosen == PlanningState.NONE) chosen = mostHeadroom(s, pool);
            s.assign(c, chosen);
            run = chosen;
        }
    }

    private static int neighbourIfAccepting(PlanningState s, int r, double w, double fairShare, boolean generalOnly) {
        if (r == PlanningState.NONE) return PlanningState.NONE;
        if (generalOnly && s.role[r] != ReplicaRole.GENERAL) return PlanningState.NONE;
        if (s.role[r] == ReplicaRole.DRAINING) return PlanningState.NONE;
        return s.replicaLoad[r] + w / 2 <= fairShare && s.fits(r, w) ? r : PlanningState.NONE;
    }

    private static boolean allFull(PlanningState s, List<Integer> pool, double w, double fairShare) {
        for (int r : pool) if (s.replicaLoad[r] + w / 2 <= fairShare) return false;
        return true;
    }

    private static boolean nearlyAsGood(PlanningState s, int r, int best, double w, List<Integer> pool) {
        return r != PlanningState.NONE && r != best && pool.contains(r) && s.fits(r, w)
                && s.replicaLoad[r] <= s.replicaLoad[best] + w / 2;
    }

    private static int leastLoadedFitting(PlanningState s, List<Integer> pool, double w) {
        int best = PlanningState.NONE;
        for (int r : pool) {
            if (!s.fits(r, w)) continue;
            if (best == PlanningState.NONE || s.replicaLoad[r] < s.replicaLoad[best]) best = r;
        }
        return best;
    }

    private static int mostHeadroom(PlanningState s, List<Integer> pool) {
        int best = pool.getFirst();
        for (int r : pool) {
            if (s.limit[r] - s.replicaLoad[r] > s.limit[best] - s.replicaLoad[best]) best = r;
        }
        return best;
    }
}
