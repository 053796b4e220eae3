package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.Arrays;
import java.util.Map;

/**
 * The fewest CPUs that must change owner so that no replica carries more than {@code limit} exits/s, given per-CPU
 * loads and the current masks: each replica above the limit sheds its hottest CPUs first (for one donor that is the
 * minimum count), and the shed load must fit into the others' spare room (else no plan reaches the limit: -1). A
 * lower bound for any planner that respects the limit; the coordinator plans below its headroom share of capacity,
 * so it is expected to move at least this many.
 */
public final class MinimumMoves {
    private MinimumMoves() {
    }

    public static int atLimit(double[] cpuLoads, Map<String, CpuSet> masks, double limit) {
        if (!(limit > 0)) throw new IllegalArgumentException("limit must be positive");
        int moves = 0;
        double shed = 0;
        double spare = 0;
        for (CpuSet mask : masks.values()) {
            int[] cpus = mask.toArray();
            double[] loads = new double[cpus.length];
            double total = 0;
            for (int i = 0; i < cpus.length; i++) {
                loads[i] = cpus[i] < cpuLoads.length ? cpuLoads[cpus[i]] : 0;
                total += loads[i];
            }
            if (total <= limit) {
                spare += limit - total;
                continue;
            }
            Arrays.sort(loads);
            double excess = total - limit;
            for (int i = loads.length - 1; i >= 0 && excess > 0; i--) {
                if (loads[i] > limit) return -1;                 // a CPU hotter than any replica can take
                excess -= loads[i];
                shed += loads[i];
                moves++;
            }
        }
        return shed <= spare ? moves : -1;
    }
}
