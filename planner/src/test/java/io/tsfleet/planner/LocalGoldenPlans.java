package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded planning problems WITH a topology (nodes of different sizes in a few zones, slots without a node, replicas on
 * known, unknown and missing nodes, zones given or taken from the node, capacities or none, draining replicas, stale
 * owners, pins, hot slots, both modes, random settings, and now and then a replica or a node that just joined), so that
 * {@link PlannerLocalGoldenTest} can hold the locality paths of the planner to the answers it gave before the speed-ups
 * of issue #19 item 10. Answers are compared with {@link GoldenPlans#digest}.
 */
final class LocalGoldenPlans {
    private LocalGoldenPlans() {
    }

    static PlanningInput problem(long seed) {
        Random rnd = new Random(seed);
        boolean big = seed % 40 == 0;
        int nodeCount = 1 + rnd.nextInt(big ? 64 : 24);
        int zones = 1 + rnd.nextInt(4);
        SlotTopology.Builder topology = SlotTopology.builder();
        CpuSet.Builder pb = CpuSet.builder();
        List<String> nodeNames = new ArrayList<>();
        int slot = 0;
        for (int n = 0; n < nodeCount; n++) {
            int size = 1 + rnd.nextInt(big ? 128 : 40);
            if (rnd.nextInt(6) == 0) slot += 1 + rnd.nextInt(8); // slot indices no node holds
            String name = "node-" + n;
            nodeNames.add(name);
            String zone = rnd.nextInt(10) == 0 ? null : "zone-" + rnd.nextInt(zones);
            CpuSet nodeSlots = CpuSet.range(slot, slot + size - 1);
            topology.node(name, zone, nodeSlots);
            for (int c = slot; c < slot + size; c++) if (rnd.nextInt(20) > 0) pb.add(c); // a few slots not possible
            slot += size;
        }
        int orphans = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(16) : 0; // possible slots of no node
        for (int c = slot; c < slot + orphans; c++) pb.add(c);
        int cpus = slot + orphans;
        CpuSet possible = pb.build();
        double[] loads = new double[cpus];
        int loadKind = rnd.nextInt(4);
        for (int c = 0; c < cpus; c++) {
            loads[c] = loadKind == 0 ? 0 : loadKind == 1 ? 50 : loadKind == 2 ? Math.floor(rnd.nextDouble() * 1000 * 100) / 100
                    : 10 * Math.exp(0.5 * rnd.nextGaussian());
        }
        if (rnd.nextInt(5) == 0 && cpus > 0) loads[rnd.nextInt(cpus)] = 60_000;
        int reps = 1 + rnd.nextInt(big ? 48 : 16);
        boolean cap = rnd.nextBoolean();
        List<ReplicaSlot> replicas = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            double capacity = cap ? 1000 + rnd.nextInt(100_000) : 0;
            boolean draining = i > 0 && rnd.nextInt(10) == 0;
            int where = rnd.nextInt(10);
            String node = where == 0 ? null : where == 1 ? "elsewhere-" + i : nodeNames.get(rnd.nextInt(nodeCount));
            String zone = rnd.nextInt(4) == 0 ? "zone-" + rnd.nextInt(zones + 1) : null;
            replicas.add(new ReplicaSlot(String.format("replica-%03d", i), capacity, draining, node, zone));
        }
        double covered = new double[]{0, 0.5, 0.9, 1}[rnd.nextInt(4)];
        Map<String, CpuSet.Builder> b = new HashMap<>();
        int owners = reps + (rnd.nextBoolean() ? 1 : 0); // the last one may be a stale owner, or a replica that just joined
        int run = 1 + rnd.nextInt(64);
        int owner = rnd.nextInt(owners);
        for (int c = possible.nextCpu(0); c >= 0; c = possible.nextCpu(c + 1)) {
            if (rnd.nextInt(run) == 0) owner = rnd.nextInt(owners); // mostly contiguous runs, as a settled plan has
            if (rnd.nextDouble() < covered) b.computeIfAbsent(String.format("replica-%03d", owner), k -> CpuSet.builder()).add(c);
        }
        if (rnd.nextInt(6) == 0) b.remove(String.format("replica-%03d", rnd.nextInt(reps))); // a replica that just joined
        Map<String, CpuSet> current = new HashMap<>();
        b.forEach((k, v) -> current.put(k, v.build()));
        Map<String, CpuSet> pins = new HashMap<>();
        if (rnd.nextInt(6) == 0) {
            CpuSet.Builder pin = CpuSet.builder();
            possible.forEach(c -> {
                if (rnd.nextInt(7) == 0) pin.add(c);
            });
            pins.put(String.format("replica-%03d", rnd.nextInt(reps)), pin.build());
        }
        double headroom = 0.5 + rnd.nextDouble() * 0.5, tolerance = 1 + rnd.nextDouble() * 0.2, base = rnd.nextBoolean() ? 1 : 5;
        boolean full = rnd.nextInt(5) > 0;
        return new PlanningInput(possible, replicas, current, loads, pins, new PlannerSettings(headroom, tolerance, base),
                full ? PlanningMode.FULL : PlanningMode.COVERAGE_ONLY, topology.build());
    }
}
