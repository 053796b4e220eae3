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

    /**
     * A random topology over {@code 0..n-1}: 1 to {@code maxNodes} nodes of contiguous blocks of random sizes, each in
     * one of up to three zones or in none.
     */
    static SlotTopology randomTopology(int n, int maxNodes, long seed) {
        Random rnd = new Random(seed);
        int nodes = 1 + rnd.nextInt(Math.max(1, Math.min(maxNodes, n)));
        int[] cuts = new int[nodes + 1];
        cuts[nodes] = n;
        for (int i = 1; i < nodes; i++) cuts[i] = rnd.nextInt(n + 1);
        java.util.Arrays.sort(cuts, 1, nodes);
        SlotTopology.Builder b = SlotTopology.builder();
        for (int i = 0; i < nodes; i++) {
            String zone = rnd.nextInt(6) == 0 ? null : "zone-" + rnd.nextInt(3);
            b.node(node(i), zone, cuts[i + 1] > cuts[i] ? CpuSet.range(cuts[i], cuts[i + 1] - 1) : CpuSet.EMPTY);
        }
        return b.build();
    }

    static String node(int i) {
        return String.format("node-%02d", i);
    }

    /** The replicas placed on random nodes of the topology (some on none, some with an explicit zone). */
    static List<ReplicaSlot> locate(List<ReplicaSlot> replicas, SlotTopology topology, long seed) {
        Random rnd = new Random(seed);
        List<ReplicaSlot> out = new ArrayList<>();
        for (ReplicaSlot r : replicas) {
            int kind = rnd.nextInt(8);
            String node = kind == 0 || topology.isEmpty() ? null : topology.nodeName(rnd.nextInt(topology.nodeCount()));
            String zone = kind == 1 ? "zone-" + rnd.nextInt(3) : null;
            out.add(r.at(node, zone));
        }
        return out;
    }
}
