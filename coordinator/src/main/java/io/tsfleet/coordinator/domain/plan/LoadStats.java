package io.tsfleet.coordinator.domain.plan;

import java.util.Collection;

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
     * The physical floor of the imbalance ratio: {@code max(1, maxCpuLoad * replicas / totalLoad)}. No plan can do
     * better, because the hottest CPU cannot be split.
     */
    public static double floor(double maxCpuLoad, int replicas, double totalLoad) {
        if (replicas <= 0 || totalLoad <= 0) return 1.0;
        return Math.max(1.0, maxCpuLoad * replicas / totalLoad);
    }
}
