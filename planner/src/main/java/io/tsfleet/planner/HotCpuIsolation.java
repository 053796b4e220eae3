package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Step 2: a CPU whose load alone exceeds the headroom limit of every general replica cannot share a replica
 * with anything; it gets a replica of its own (an alert, not a reason to keep moving it). The dedicated replica
 * is the one that costs the fewest moves (its current owner when that owner holds nothing else), so the choice
 * is a fixed point: on the plan's own output the hot CPU's owner holds only it and is chosen again.
 * At least one general replica is kept while there are other CPUs to own.
 */
final class HotCpuIsolation {
    private HotCpuIsolation() {
    }

    /** CPUs hotter than the largest headroom limit of the general replicas. */
    static CpuSet hotCpus(PlanningState s) {
        double maxLimit = maxGeneralLimit(s);
        if (!(s.maxWeight > maxLimit)) return CpuSet.EMPTY; // no CPU is hotter than that (always so without a limit)
        CpuSet.Builder hot = CpuSet.builder();
        s.possible.forEach(c -> {
            if (s.weight[c] > maxLimit) hot.add(c);
        });
        return hot.build();
    }

    static Map<String, Integer> apply(PlanningState s, CpuSet hot) {
        Map<String, Integer> dedicated = new TreeMap<>();
        List<Integer> candidates = new ArrayList<>();
        hot.forEach(c -> {
            if (!s.locked[c]) candidates.add(c);
        });
        if (candidates.isEmpty()) return dedicated;
        candidates.sort(Comparator.<Integer>comparingDouble(c -> -s.weight[c]).thenComparingInt(c -> c));
        boolean otherCpus = s.possible.stream().anyMatch(c -> !s.locked[c] && !hot.contains(c));
        int general = s.replicasWithRole(ReplicaRole.GENERAL).size();
        int budget = Math.max(0, general - (otherCpus ? 1 : 0));
        // One iteration per hot CPU, at most `budget` of them: terminates.
        for (int i = 0; i < Math.min(budget, candidates.size()); i++) {
            int c = candidates.get(i);
            int chosen = cheapestReplica(s, c);
            s.role[chosen] = ReplicaRole.DEDICATED;
            for (int other : s.cpusOf[chosen].toArray()) {
                if (other != c) s.unassign(other);
            }
            s.assign(c, chosen);
            s.lock(c);
            dedicated.put(s.ids[chosen], c);
        }
        return dedicated;
    }

    private static int cheapestReplica(PlanningState s, int cpu) {
        int best = PlanningState.NONE;
        long bestCost = Long.MAX_VALUE;
        for (int r = 0; r < s.replicaCount(); r++) {
            if (s.role[r] != ReplicaRole.GENERAL) continue;
            boolean owns = s.owner[cpu] == r;
            long evicted = s.cpusOf[r].cardinality() - (owns ? 1 : 0);
            long cost = 2 * (evicted + (owns ? 0 : 1)) + (owns ? 0 : 1); // prefer the current owner on equal moves
            if (cost < bestCost || (cost == bestCost && s.replicaLoad[r] < s.replicaLoad[best])) {
                best = r;
                bestCost = cost;
            }
        }
        return best;
    }

    private static double maxGeneralLimit(PlanningState s) {
        double max = 0;
        boolean any = false;
        for (int r = 0; r < s.replicaCount(); r++) {
            if (s.role[r] == ReplicaRole.GENERAL) {
                max = Math.max(max, s.limit[r]);
                any = true;
            }
        }
        return any ? max : Double.POSITIVE_INFINITY;
    }
}
