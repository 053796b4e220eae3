package io.tsfleet.planner;

import java.util.List;

/**
 * Step 3 (coverage, hard): every possible CPU without an owner gets one.
 *
 * <p>With a topology, locality passes come first. Each visits the CPUs without an owner in ascending order and gives
 * a CPU to a replica of its own node (pass 1), then of its own zone (pass 2), that is below the fair share, preferring
 * the owner of the left neighbour, then of the right neighbour, then the least loaded such replica; passes 3 and 4
 * repeat the node and zone passes with the balance tolerance ({@code load + weight <= tolerance x fair share}), so a
 * node's slots spill over to the replicas of the same node, then of the same zone, only as far as balancing allows.
 * A CPU no locality pass could place stays for the last pass.
 *
 * <p>The last pass (the only one without a topology) visits the remaining CPUs in ascending order and gives a CPU
 * preferably to the owner of its left neighbour, then of its right neighbour, while that replica is below the fair
 * share and within its headroom limit; otherwise to the least loaded replica that fits; otherwise (no feasible
 * placement) to the replica with the most headroom left. Filling run by run keeps masks contiguous: on an empty
 * fleet the result is one range per replica, and a dead replica's range is absorbed by its neighbours.
 *
 * <p>Loop: at most five passes over the CPUs without an owner (collected once), each CPU assigned once; terminates. During placement a replica's load
 * only grows (only CPUs without an owner are assigned), so the least loaded replica of a group is tracked and
 * recomputed only when that replica receives a CPU ({@link MinLoad}).
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
        if (receivers.isEmpty() || s.uncovered == 0) return;
        // The weight of the unlocked CPUs, summed in ascending order (with nothing locked: the total, summed so).
        double unlocked = 0;
        if (s.lockedCount == 0) {
            unlocked = s.totalWeight;
        } else {
            for (int k = 0; k < s.rangeStart.length; k++) {
                for (int c = s.rangeStart[k], end = s.rangeEnd[k]; c < end; c++) {
                    if (!s.locked[c]) unlocked += s.weight[c];
                }
            }
        }
        // The CPUs without an owner, ascending: every pass visits these only.
        int[] todo = new int[s.uncovered];
        int count = 0;
        for (int k = 0; k < s.rangeStart.length && count < todo.length; k++) {
            for (int c = s.rangeStart[k], end = s.rangeEnd[k]; c < end && count < todo.length; c++) {
                if (s.owner[c] == PlanningState.NONE) todo[count++] = c;
            }
        }
        double fairShare = unlocked / receivers.size();
        int[] pool = receivers.stream().mapToInt(Integer::intValue).toArray();
        Groups groups = new Groups(s, pool);
        if (s.local) {
            double tolerant = fairShare * s.settings.balanceTolerance();
            count = placeLocally(s, groups, todo, count, true, fairShare, false);
            count = placeLocally(s, groups, todo, count, false, fairShare, false);
            count = placeLocally(s, groups, todo, count, true, tolerant, true);
            count = placeLocally(s, groups, todo, count, false, tolerant, true);
            if (count == 0) return;
        }
        placeRest(s, groups, todo, count, fairShare, generalAvailable);
    }

    /**
     * One locality pass: CPUs go to a replica of their node ({@code byNode}) or zone that accepts them below
     * {@code share} ({@code strict}: the whole weight fits below it; else half of it, as in the last pass).
     */
    private static int placeLocally(PlanningState s, Groups g, int[] todo, int count, boolean byNode, double share, boolean strict) {
        int left = 0; // the CPUs still without an owner are compacted to the front of todo, in ascending order
        for (int i = 0; i < count; i++) {
            int c = todo[i];
            if (!placeLocally(s, g, c, byNode, share, strict)) todo[left++] = c;
        }
        return left;
    }

    private static boolean placeLocally(PlanningState s, Groups g, int c, boolean byNode, double share, boolean strict) {
        int group = byNode ? s.slotNode[c] : s.slotZone(c);
        if (group == PlanningState.NONE) return false;
        MinLoad tracker = byNode ? g.byNode[group] : g.byZone[group];
        if (tracker == null) return false;
        double w = s.weight[c];
        double need = strict ? w : w / 2;
        int least = tracker.get(s);
        if (s.replicaLoad[least] + need > share) return false; // nobody of the group is below the share
        int chosen = PlanningState.NONE;
        int left = s.ownerOrNone(c - 1);
        int right = s.ownerOrNone(c + 1);
        if (accepts(s, g, left, group, byNode, w, need, share)) chosen = left;
        else if (accepts(s, g, right, group, byNode, w, need, share)) chosen = right;
        else if (s.fits(least, w)) chosen = least;
        else {
            for (int r : tracker.members) {
                if (s.replicaLoad[r] + need <= share && s.fits(r, w)
                        && (chosen == PlanningState.NONE || s.replicaLoad[r] < s.replicaLoad[chosen])) chosen = r;
            }
            if (chosen == PlanningState.NONE) return false;
        }
        g.assign(s, c, chosen);
        return true;
    }

    private static boolean accepts(PlanningState s, Groups g, int r, int group, boolean byNode, double w, double need, double share) {
        if (r == PlanningState.NONE || !g.inPool[r]) return false;
        int rGroup = byNode ? s.replicaNode[r] : s.replicaZone[r];
        return rGroup == group && s.replicaLoad[r] + need <= share && s.fits(r, w);
    }

    private static void placeRest(PlanningState s, Groups g, int[] todo, int count, double fairShare, boolean generalAvailable) {
        // The rounding error of the runs closed so far, carried into the next run (as a prefix-sum partition
        // does), so that equal CPUs split into contiguous runs whose sizes differ by at most one.
        double carry = 0;
        int run = PlanningState.NONE;
        int previous = -1;
        for (int i = 0; i < count; i++) {
            int c = todo[i];
            // A possible CPU with an owner between the previous CPU placed here and this one ends the run.
            if (previous >= 0 && s.possible.nextCpu(previous + 1) != c) run = PlanningState.NONE;
            previous = c;
            double w = s.weight[c];
            int closed = PlanningState.NONE;
            if (run != PlanningState.NONE && s.replicaLoad[run] + w / 2 > fairShare + carry) {
                carry += fairShare - s.replicaLoad[run];
                closed = run;
                run = PlanningState.NONE;
            }
            // When every replica already has its fair share (the rounding rest at the end), a neighbour takes it.
            int least = g.all.get(s);
            boolean allFull = s.replicaLoad[least] + w / 2 > fairShare + carry;
            double share = allFull ? Double.POSITIVE_INFINITY : fairShare + carry;
            int left = s.ownerOrNone(c - 1);
            int chosen = left == closed ? PlanningState.NONE : neighbourIfAccepting(s, left, w, share, generalAvailable);
            if (chosen == PlanningState.NONE) chosen = neighbourIfAccepting(s, s.ownerOrNone(c + 1), w, share, generalAvailable);
            if (chosen == PlanningState.NONE) {
                chosen = leastLoadedFitting(s, g, least, w);
                // A neighbour within half a CPU of the least loaded replica is as good and keeps masks contiguous.
                if (chosen != PlanningState.NONE) {
                    int right = s.ownerOrNone(c + 1);
                    if (left != closed && nearlyAsGood(s, g, left, chosen, w)) chosen = left;
                    else if (nearlyAsGood(s, g, right, chosen, w)) chosen = right;
                }
            }
            if (chosen == PlanningState.NONE) chosen = mostHeadroom(s, g.all.members);
            g.assign(s, c, chosen);
            run = chosen;
        }
    }

    private static int neighbourIfAccepting(PlanningState s, int r, double w, double fairShare, boolean generalOnly) {
        if (r == PlanningState.NONE) return PlanningState.NONE;
        if (generalOnly && s.role[r] != ReplicaRole.GENERAL) return PlanningState.NONE;
        if (s.role[r] == ReplicaRole.DRAINING) return PlanningState.NONE;
        return s.replicaLoad[r] + w / 2 <= fairShare && s.fits(r, w) ? r : PlanningState.NONE;
    }

    private static boolean nearlyAsGood(PlanningState s, Groups g, int r, int best, double w) {
        return r != PlanningState.NONE && r != best && g.inPool[r] && s.fits(r, w)
                && s.replicaLoad[r] <= s.replicaLoad[best] + w / 2;
    }

    /** The first replica of the pool (ascending) with the least load among those that fit. */
    private static int leastLoadedFitting(PlanningState s, Groups g, int least, double w) {
        if (s.fits(least, w)) return least; // the least loaded of all (lowest index on a tie) fits: it is the answer
        int best = PlanningState.NONE;
        for (int r : g.all.members) {
            if (!s.fits(r, w)) continue;
            if (best == PlanningState.NONE || s.replicaLoad[r] < s.replicaLoad[best]) best = r;
        }
        return best;
    }

    private static int mostHeadroom(PlanningState s, int[] pool) {
        int best = pool[0];
        for (int r : pool) {
            if (s.limit[r] - s.replicaLoad[r] > s.limit[best] - s.replicaLoad[best]) best = r;
        }
        return best;
    }

    /** The receiving pool, and its replicas grouped by node and by zone, each with its least loaded replica. */
    private static final class Groups {
        final boolean[] inPool;
        final MinLoad all;
        final MinLoad[] byNode;
        final MinLoad[] byZone;

        Groups(PlanningState s, int[] pool) {
            inPool = new boolean[s.replicaCount()];
            for (int r : pool) inPool[r] = true;
            all = new MinLoad(pool);
            if (!s.local) {
                byNode = new MinLoad[0];
                byZone = new MinLoad[0];
                return;
            }
            byNode = group(s.replicaNode, pool, s.nodeZone.length);
            byZone = group(s.replicaZone, pool, s.zoneCount);
        }

        private static MinLoad[] group(int[] groupOf, int[] pool, int groups) {
            int[] count = new int[groups];
            for (int r : pool) if (groupOf[r] >= 0 && groupOf[r] < groups) count[groupOf[r]]++;
            MinLoad[] out = new MinLoad[groups];
            int[][] members = new int[groups][];
            for (int i = 0; i < groups; i++) if (count[i] > 0) members[i] = new int[count[i]];
            int[] filled = new int[groups];
            for (int r : pool) {
                int i = groupOf[r];
                if (i >= 0 && i < groups) members[i][filled[i]++] = r;
            }
            for (int i = 0; i < groups; i++) if (members[i] != null) out[i] = new MinLoad(members[i]);
            return out;
        }

        void assign(PlanningState s, int cpu, int replica) {
            s.assign(cpu, replica);
            all.touched(replica);
            if (s.local) {
                int node = s.replicaNode[replica];
                if (node >= 0 && node < byNode.length && byNode[node] != null) byNode[node].touched(replica);
                int zone = s.replicaZone[replica];
                if (zone >= 0 && zone < byZone.length && byZone[zone] != null) byZone[zone].touched(replica);
            }
        }
    }

    /**
     * The least loaded replica of a group (the lowest index on a tie), recomputed only after that replica received a
     * CPU: during placement loads only grow, so another replica's gain cannot change the minimum.
     */
    private static final class MinLoad {
        final int[] members; // ascending replica indices
        private int min = PlanningState.NONE;

        MinLoad(int[] members) {
            this.members = members;
        }

        int get(PlanningState s) {
            if (min == PlanningState.NONE) {
                int best = members[0];
                for (int r : members) if (s.replicaLoad[r] < s.replicaLoad[best]) best = r;
                min = best;
            }
            return min;
        }

        void touched(int replica) {
            if (replica == min) min = PlanningState.NONE;
        }
    }
}
