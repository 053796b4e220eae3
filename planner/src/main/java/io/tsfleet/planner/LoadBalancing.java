package io.tsfleet.planner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Step 5 (balance, then fewest moves, then compactness): repeatedly move one CPU from the most loaded general
 * replica A to the least loaded replica B that can take a useful CPU, until A is within the balance tolerance of
 * the physical lower bound {@code max(mean, largest CPU)} and the least loaded replica is within the tolerance
 * below the mean (a newcomer must get its share even when the maximum already looks fine), or until no move
 * improves A.
 *
 * <p>The CPU moved is the one that lowers {@code max(load A, load B)} most (weight closest to half the gap: the
 * fewest moves per unit of balance); ties go to a CPU adjacent to B's CPUs or at the edge of A's ranges (compact
 * masks), then to a CPU that B owned before planning (undoing a move), then to the lowest CPU.
 *
 * <p>Termination: a CPU of weight {@code w} moves only if {@code 0 < w < load A - load B}; such a move changes
 * {@code sum(load^2)} by {@code 2w(w - (load A - load B)) < 0}, so the potential strictly decreases, no assignment
 * repeats, and the loop ends (the potential function of Kafka's {@code ShareBalancer}). A step cap guards against
 * floating-point surprises. Moves keep every receiver within its headroom limit, so capacity is never traded for
 * balance.
 */
final class LoadBalancing {
    private LoadBalancing() {
    }

    static boolean apply(PlanningState s, int stepCap) {
        List<Integer> general = s.replicasWithRole(ReplicaRole.GENERAL);
        if (general.size() < 2) return false;
        double maxWeight = 0, total = 0;
        for (int r : general) {
            total += s.replicaLoad[r];
            int[] cpus = s.cpusOf[r].stream().toArray();
            for (int c : cpus) maxWeight = Math.max(maxWeight, s.weight[c]);
        }
        double mean = total / general.size();
        double maxAllowed = s.settings.balanceTolerance() * Math.max(mean, maxWeight);
        double minAllowed = mean / s.settings.balanceTolerance();
        boolean changed = false;
        for (int step = 0; step < stepCap; step++) {
            int a = general.getFirst();
            int b = general.getFirst();
            for (int r : general) {
                if (s.replicaLoad[r] > s.replicaLoad[a]) a = r;
                if (s.replicaLoad[r] < s.replicaLoad[b]) b = r;
            }
            boolean balanced = s.replicaLoad[a] <= maxAllowed && s.replicaLoad[b] >= minAllowed;
            if (balanced) break;
            if (!moveOne(s, general, a)) break;
            changed = true;
        }
        return changed;
    }

    private static boolean moveOne(PlanningState s, List<Integer> general, int a) {
        List<Integer> receivers = new ArrayList<>(general);
        receivers.remove(Integer.valueOf(a));
        receivers.sort(Comparator.<Integer>comparingDouble(r -> s.replicaLoad[r]).thenComparingInt(r -> r));
        double loadA = s.replicaLoad[a];
        // At most |receivers| scans of A's CPUs.
        for (int b : receivers) {
            double gap = loadA - s.replicaLoad[b];
            if (gap <= 0) return false;
            int best = PlanningState.NONE;
            double bestGain = 0;
            int bestScore = -1;
            for (int c = s.cpusOf[a].nextSetBit(0); c >= 0; c = s.cpusOf[a].nextSetBit(c + 1)) {
                double w = s.weight[c];
                if (s.locked[c] || w >= gap || !s.fits(b, w)) continue;
                double gain = loadA - Math.max(loadA - w, s.replicaLoad[b] + w);
                if (gain <= 0) continue;
                int score = s.compactnessScore(c, a, b) * 2 + (s.original[c] == b ? 1 : 0);
                double eps = 1e-9 * loadA;
                if (best == PlanningState.NONE || gain > bestGain + eps || (gain >= bestGain - eps && score > bestScore)) {
                    best = c;
                    bestGain = gain;
                    bestScore = score;
                }
            }
            if (best != PlanningState.NONE) {
                s.assign(best, b);
                return true;
            }
        }
        return false;
    }
}
