package io.tsfleet.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;

/** Static masks for a fleet without a coordinator: CPUs {@code 0..cpus-1} in K contiguous, nearly equal ranges. */
public final class Masks {
    private Masks() {
    }

    public static List<String> contiguous(int cpus, int replicas) {
        if (cpus < 1) throw new IllegalArgumentException("cpus must be >= 1");
        if (replicas < 1 || replicas > cpus) throw new IllegalArgumentException("replicas must be within 1.." + cpus + ": " + replicas);
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int r = 0; r < replicas; r++) {
            int size = cpus / replicas + (r < cpus % replicas ? 1 : 0);
            int to = from + size - 1;
            out.add(from == to ? Integer.toString(from) : from + "-" + to);
            from = to + 1;
        }
        return List.copyOf(out);
    }
}
