package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded problems on the edge of capacity repair: an over-loaded replica whose preferred CPU to give away is a few
 * billionths heavier than the most room any receiver has (so it passes the planner's rounding margin, yet fits
 * nowhere), next to smaller CPUs that do fit. Capacity repair must then pass over the preferred CPU and take the next
 * one in its order of preference; the random problems of {@link GoldenPlans} and {@link LocalGoldenPlans} almost never
 * get there. Half of the problems have a topology.
 */
final class CapacityEdgePlans {
    private CapacityEdgePlans() {
    }

    static PlanningInput problem(long seed) {
        Random rnd = new Random(seed);
        double headroom = rnd.nextBoolean() ? 1 : 0.5 + rnd.nextDouble() * 0.5;
        double base = rnd.nextBoolean() ? 1 : 5;
        int receivers = 1 + rnd.nextInt(5);
        List<ReplicaSlot> replicas = new ArrayList<>();
        Map<String, CpuSet> current = new HashMap<>();
        List<Double> loads = new ArrayList<>();
        double maxRoom = Double.NEGATIVE_INFINITY, scale = 1;
        int cpu = 0;
        for (int r = 1; r <= receivers; r++) {
            int size = 1 + rnd.nextInt(12);
            double load = 0;
            for (int i = 0; i < size; i++) {
                double l = Math.floor(rnd.nextDouble() * 5000) / 100;
                loads.add(l);
                load += l + base;
            }
            double capacity = Math.ceil((load + 20 + rnd.nextDouble() * 200) / headroom);
            double limit = capacity * headroom;
            maxRoom = Math.max(maxRoom, limit * (1 + 1e-12) - load);
            scale = Math.max(scale, Math.abs(load) + limit);
            replicas.add(new ReplicaSlot(String.format("replica-%03d", r), capacity, false));
            current.put(String.format("replica-%03d", r), CpuSet.range(cpu, cpu + size - 1));
            cpu += size;
        }
        // The giver: small CPUs, each below its excess, and the heavy one among them.
        double heavy = maxRoom + (0.2 + 0.6 * rnd.nextDouble()) * 1e-9 * scale;
        int small = 3 + rnd.nextInt(8);
        double x = 1 + Math.floor(rnd.nextDouble() * 2000) / 100;
        int heavyAt = rnd.nextInt(small + 1);
        int first = cpu;
        for (int i = 0; i <= small; i++) {
            loads.add(i == heavyAt ? heavy - base : x * (0.8 + 0.4 * rnd.nextDouble()));
            cpu++;
        }
        double giverLimit = heavy + (small - 2 - rnd.nextInt(2)) * x * 0.8;
        double giverCapacity = giverLimit / headroom;
        replicas.add(new ReplicaSlot("replica-000", giverCapacity, false));
        current.put("replica-000", CpuSet.range(first, cpu - 1));
        double[] loadArray = loads.stream().mapToDouble(Double::doubleValue).toArray();
        CpuSet possible = CpuSet.range(0, cpu - 1);
        SlotTopology topology = SlotTopology.NONE;
        if (rnd.nextBoolean()) {
            SlotTopology.Builder b = SlotTopology.builder();
            b.node("node-a", "zone-a", CpuSet.range(0, first - 1));
            b.node("node-b", rnd.nextBoolean() ? "zone-a" : "zone-b", CpuSet.range(first, cpu - 1));
            topology = b.build();
            List<ReplicaSlot> located = new ArrayList<>();
            for (ReplicaSlot r : replicas) located.add(r.at(rnd.nextBoolean() ? "node-a" : "node-b", null));
            replicas = located;
        }
        return new PlanningInput(possible, replicas, current, loadArray, Map.of(), new PlannerSettings(headroom, 1 + rnd.nextDouble() * 0.2, base),
                PlanningMode.FULL, topology);
    }
}
