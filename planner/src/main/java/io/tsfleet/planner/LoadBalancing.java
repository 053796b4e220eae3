package io.tsfleet.planner;

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
 *
 * <p>With a topology, locality ranks below balance and above fewest moves: among the CPUs that bring at least half
 * of the best gain, the one that moves onto B's node or zone (or away from a replica it is remote to) is preferred
 * ({@link #bestLocalCpu}). The stopping conditions are unchanged, so locality never leaves the plan less balanced.
 */
final class LoadBalancing {
    private LoadBalancing() {
    }

    static boolean apply(PlanningState s, int stepCap) {
        List<Integer> generalList = s.replicasWithRole(ReplicaRole.GENERAL);
        if (generalList.size() < 2) return false;
        int[] general = generalList.stream().mapToInt(Integer::intValue).toArray();
        double total = 0;
        for (int r : general) total += s.replicaLoad[r];
        double mean = total / general.length;
        double minAllowed = mean / s.settings.balanceTolerance();
        if (maxLoad(s, general) <= s.settings.balanceTolerance() * mean && s.replicaLoad[minLoaded(s, general)] >= minAllowed) {
            return false; // balanced whatever the heaviest CPU (the bound below is at least tolerance x mean)
        }
        // Capacity repair and balancing move CPUs between general replicas only, so the set of CPUs they own, and
        // its heaviest CPU, is the same in every round: computed once.
        if (Double.isNaN(s.maxGeneralWeight)) s.maxGeneralWeight = maxGeneralWeight(s);
        double maxWeight = s.maxGeneralWeight;
        double maxAllowed = s.settings.balanceTolerance() * Math.max(mean, maxWeight);
        boolean changed = false;
        boolean[] tried = new boolean[s.replicaCount()];
        for (int step = 0; step < stepCap; step++) {
            int a = general[0];
            int b = general[0];
            for (int r : general) {
                if (s.replicaLoad[r] > s.replicaLoad[a]) a = r;
                if (s.replicaLoad[r] < s.replicaLoad[b]) b = r;
            }
            boolean balanced = s.replicaLoad[a] <= maxAllowed && s.replicaLoad[b] >= minAllowed;
            if (balanced) break;
            if (!moveOne(s, general, a, tried)) break;
            changed = true;
        }
        return changed;
    }

    /** The heaviest CPU owned by a general replica (0 when there is none). */
    private static double maxGeneralWeight(PlanningState s) {
        // Every possible CPU owned, and every replica general: that is the heaviest possible CPU, known already.
        if (s.uncovered == 0 && s.replicasWithRole(ReplicaRole.GENERAL).size() == s.replicaCount()) return s.maxWeight;
        double maxWeight = 0;
        for (int k = 0; k < s.rangeStart.length; k++) {
            for (int c = s.rangeStart[k], end = s.rangeEnd[k]; c < end; c++) {
                int o = s.owner[c];
                if (o != PlanningState.NONE && s.role[o] == ReplicaRole.GENERAL) maxWeight = Math.max(maxWeight, s.weight[c]);
            }
        }
        return maxWeight;
    }

    private static double maxLoad(PlanningState s, int[] general) {
        double max = s.replicaLoad[general[0]];
        for (int r : general) max = Math.max(max, s.replicaLoad[r]);
        return max;
    }

    private static int minLoaded(PlanningState s, int[] general) {
        int b = general[0];
        for (int r : general) if (s.replicaLoad[r] < s.replicaLoad[b]) b = r;
        return b;
    }

    /** The receivers in ascending order of (load, index), one at a time: usually the first one takes a CPU. */
    private static int nextReceiver(PlanningState s, int[] general, int a, boolean[] tried) {
        int best = PlanningState.NONE;
        for (int r : general) {
            if (r == a || tried[r]) continue;
            if (best == PlanningState.NONE || s.replicaLoad[r] < s.replicaLoad[best]) best = r;
        }
        return best;
    }

    private static boolean moveOne(PlanningState s, int[] general, int a, boolean[] tried) {
        java.util.Arrays.fill(tried, false);
        double loadA = s.replicaLoad[a];
        // At most |receivers| scans of A's CPUs.
        for (int b = nextReceiver(s, general, a, tried); b != PlanningState.NONE; b = nextReceiver(s, general, a, tried)) {
            tried[b] = true;
            double gap = loadA - s.replicaLoad[b];
            if (gap <= 0) return false;
            int best = s.local ? bestLocalCpu(s, a, b, loadA, gap) : bestCpu(s, a, b, loadA, gap);
            if (best != PlanningState.NONE) {
                s.assign(best, b);
                return true;
            }
        }
        return false;
    }

    private static int bestCpu(PlanningState s, int a, int b, double loadA, double gap) {
        int best = PlanningState.NONE;
        double bestGain = 0;
        int bestScore = -1;
        SlotBits owned = s.cpusOf[a];
        // A's CPUs in ascending order, word by word.
        for (int i = 0, words = owned.wordCount(); i < words; i++) {
            int first = owned.firstSlotOfWord(i);
            for (long word = owned.word(i); word != 0; word &= word - 1) {
                int c = first + Long.numberOfTrailingZeros(word);
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
        }
        return best;
    }

    /**
     * With a topology: among the CPUs that bring at least half of the best possible gain, the one whose move helps
     * locality most ({@code distance(c, B) - distance(c, A)} lowest: onto B's node or zone, away from a replica it is
     * remote to), then the greatest gain, then compactness and undoing a move as in {@link #bestCpu}. Every candidate
     * satisfies {@code 0 < w < gap}, so termination is as without a topology.
     *
     * <p>One pass over A's CPUs finds the best gain and keeps the CPUs with a positive gain (ascending, with their
     * gains) in the state's scratch arrays; the choice then looks at those only.
     */
    private static int bestLocalCpu(PlanningState s, int a, int b, double loadA, double gap) {
        SlotBits owned = s.cpusOf[a];
        int[] candidates = s.candidateScratch(owned.cardinality());
        double[] gains = s.gainScratch;
        int count = 0;
        double bestGain = 0;
        double loadB = s.replicaLoad[b];
        double limitB = s.limit[b] * (1 + 1e-12);
        for (int i = 0, words = owned.wordCount(); i < words; i++) {
            int first = owned.firstSlotOfWord(i);
            for (long word = owned.word(i); word != 0; word &= word - 1) {
                int c = first + Long.numberOfTrailingZeros(word);
                double w = s.weight[c];
                // s.fits(b, w) and the gain, with B's load and limit read once (the same arithmetic)
                if (s.locked[c] || w >= gap || !(loadB + w <= limitB)) continue;
                double gain = loadA - Math.max(loadA - w, loadB + w);
                bestGain = Math.max(bestGain, gain);
                if (gain > 0) {
                    candidates[count] = c;
                    gains[count++] = gain;
                }
            }
        }
        if (bestGain <= 0) return PlanningState.NONE;
        int best = PlanningState.NONE;
        double chosenGain = 0;
        int bestDelta = Integer.MAX_VALUE;
        int bestScore = -1;
        double eps = 1e-9 * loadA;
        for (int k = 0; k < count; k++) {
            double gain = gains[k];
            if (gain < bestGain / 2) continue;
            int c = candidates[k];
            int delta = s.distance(c, b) - s.distance(c, a);
            if (best != PlanningState.NONE && delta > bestDelta) continue; // cannot win: skip the compactness score
            int score = s.compactnessScore(c, a, b) * 2 + (s.original[c] == b ? 1 : 0);
            boolean better = best == PlanningState.NONE || delta < bestDelta
                    || (delta == bestDelta && (gain > chosenGain + eps || (gain >= chosenGain - eps && score > bestScore)));
            if (better) {
                best = c;
                chosenGain = gain;
                bestDelta = delta;
                bestScore = score;
            }
        }
        return best;
    }
}
