package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Builders of planner inputs shared by the property tests. */
final class PlannerFixtures {
    private PlannerFixtures() {
    }

    static List<ReplicaSlot> replicas(int count, double capacity) {
        List<ReplicaSlot> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(ReplicaSlot.active(id(i), capacity));
        return out;
    }

    static String id(int i) {
        return String.format("replica-%03d", i);
    }

    /** A random (possibly partial, possibly overlapping-free) current assignment of the possible CPUs. */
    static Map<String, CpuSet> randomCurrent(CpuSet possible, List<ReplicaSlot> replicas, long seed, double coveredShare) {
        Random rnd = new Random(seed);
        Map<String, CpuSet.Builder> b = new HashMap<>();
        possible.forEach(c -> {
            if (rnd.nextDouble() < coveredShare && !replicas.isEmpty()) {
                String id = replicas.get(rnd.nextInt(replicas.size())).id();
                b.computeIfAbsent(id, k -> CpuSet.builder()).add(c);
            }
        });
        Map<String, CpuSet> out = new HashMap<>();
        b.forEach((k, v) -> out.put(k, v.build()));
        return out;
    }

    static double[] randomLoads(int n, long seed, double max) {
        Random rnd = new Random(seed);
        double[] l = new double[n];
        for (int i = 0; i < n; i++) l[i] = Math.floor(rnd.nextDouble() * max * 100) / 100;
        return l;
    }

    static CpuSet union(Map<String, CpuSet> masks) {
        CpuSet u = CpuSet.EMPTY;
        for (CpuSet s : masks.values()) u = u.union(s);
        return u;
    }

    static int totalSize(Map<String, CpuSet> masks) {
        int n = 0;
        for (CpuSet s : masks.values()) n += s.size();
        return n;
    }

    static double loadOf(CpuSet mask, double[] loads, double base) {
        double sum = 0;
        for (int c : mask.toArray()) sum += (c < loads.length ? loads[c] : 0) + base;
        return sum;
    }
}
