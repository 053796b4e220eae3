package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Imbalance measures shared by the planner, the policy and the metrics. */
public final class LoadStats {
    private LoadStats() {
    }

    /** {@code max / mean} of replica loads; 1 when there are no replicas or no load. */
    public static double imbalance(Collection<Double> replicaLoads) {
        double max = 0, sum = 0;
        for (double l : replicaLoads) {
            max = Math.max(max, l);
            sum += l;
        }
        if (replicaLoads.isEmpty() || sum <= 0) return 1.0;
        return max / (sum / replicaLoads.size());
    }

    /**
     * The total overload of an assignment: {@code sum(max(0, load - headroom x capacity))} over the replicas of the
     * input that are not draining and have a measured capacity (loads include the base weight, as in planning).
     */
    public static double excess(Map<String, CpuSet> masks, PlanningInput input) {
        double total = 0;
        for (ReplicaSlot r : input.replicas()) {
            if (r.draining() || r.capacityPerSecond() <= 0) continue;
            double load = weight(masks.getOrDefault(r.id(), CpuSet.EMPTY), input);
            total += Math.max(0, load - r.capacityPerSecond() * input.settings().headroom());
        }
        return total;
    }

    /** {@code max / mean} load of the input's non-draining replicas under the given masks. */
    public static double imbalance(Map<String, CpuSet> masks, PlanningInput input) {
        List<Double> loads = new ArrayList<>();
        for (ReplicaSlot r : input.replicas()) {
            if (!r.draining()) loads.add(weight(masks.getOrDefault(r.id(), CpuSet.EMPTY), input) );
        }
        return imbalance(loads);
    }

    private static double weight(CpuSet mask, PlanningInput input) {
        double[] sum = {0};
        mask.intersect(input.possibleCpus()).forEach(c -> sum[0] += input.load(c) + input.settings().cpuBaseWeight());
        return sum[0];
    }

    /**
     * The physical floor of the imbalance ratio: {@code max(1, maxCpuLoad * replicas / totalLoad)}. No plan can do
     * better, because the hottest CPU cannot be split.
     */
    public static double floor(double maxCpuLoad, int replicas, double totalLoad) {
        if (replicas <= 0 || totalLoad <= 0) return 1.0;
        return Math.max(1.0, maxCpuLoad * replicas / totalLoad);
    }
}
