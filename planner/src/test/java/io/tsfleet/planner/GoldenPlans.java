package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded planning problems without a topology (holes in the possible set, capacities or none, draining replicas,
 * stale owners, pins, hot CPUs, both modes, random settings) and a digest of everything the planner answers for
 * each, so that {@link PlannerGoldenTest} can compare today's planner with the answers of the planner before
 * locality.
 */
final class GoldenPlans {
    private GoldenPlans() {
    }

    static PlanningInput problem(long seed) {
        Random rnd = new Random(seed);
        int cpus = 1 + rnd.nextInt(seed % 50 == 0 ? 4096 : 600);
        int reps = 1 + rnd.nextInt(seed % 50 == 0 ? 64 : 20);
        CpuSet.Builder pb = CpuSet.builder();
        for (int c = 0; c < cpus; c++) if (rnd.nextInt(10) > 0) pb.add(c);
        pb.add(0);
        CpuSet possible = pb.build();
        double[] loads = new double[cpus];
        int loadKind = rnd.nextInt(4);
        for (int c = 0; c < cpus; c++) loads[c] = loadKind == 0 ? 0 : loadKind == 1 ? 50 : Math.floor(rnd.nextDouble() * 1000 * 100) / 100;
        if (rnd.nextInt(4) == 0) loads[rnd.nextInt(cpus)] = 60_000;
        boolean cap = rnd.nextBoolean();
        List<ReplicaSlot> replicas = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            double capacity = cap ? 1000 + rnd.nextInt(100_000) : 0;
            boolean draining = i > 0 && rnd.nextInt(8) == 0;
            replicas.add(new ReplicaSlot(String.format("replica-%03d", i), capacity, draining));
        }
        double covered = new double[]{0, 0.5, 1}[rnd.nextInt(3)];
        Map<String, CpuSet.Builder> b = new HashMap<>();
        for (int c = possible.nextCpu(0); c >= 0; c = possible.nextCpu(c + 1)) {
            if (rnd.nextDouble() < covered) b.computeIfAbsent(String.format("replica-%03d", rnd.nextInt(reps + 1)), k -> CpuSet.builder()).add(c);
        }
        Map<String, CpuSet> current = new HashMap<>();
        b.forEach((k, v) -> current.put(k, v.build()));
        Map<String, CpuSet> pins = new HashMap<>();
        if (rnd.nextInt(4) == 0) {
            CpuSet.Builder pin = CpuSet.builder();
            possible.forEach(c -> {
                if (rnd.nextInt(5) == 0) pin.add(c);
            });
            pins.put(String.format("replica-%03d", rnd.nextInt(reps)), pin.build());
        }
        double headroom = 0.5 + rnd.nextDouble() * 0.5, tolerance = 1 + rnd.nextDouble() * 0.2, base = rnd.nextBoolean() ? 1 : 5;
        boolean full = rnd.nextInt(5) > 0;
        return new PlanningInput(possible, replicas, current, loads, pins, new PlannerSettings(headroom, tolerance, base),
                full ? PlanningMode.FULL : PlanningMode.COVERAGE_ONLY);
    }

    /** Every field of the answer, doubles to the last bit, as text. */
    static String describe(TargetAssignment plan) {
        StringBuilder sb = new StringBuilder();
        plan.masks().forEach((id, m) -> sb.append(id).append('=').append(m).append(';'));
        sb.append('|');
        plan.moves().forEach(m -> sb.append(m.cpu()).append(':').append(m.from()).append('>').append(m.to()).append(';'));
        sb.append('|').append(plan.hotCpus()).append('|').append(plan.dedicated()).append('|').append(plan.overCapacity()).append('|');
        plan.projectedLoad().forEach((id, l) -> sb.append(id).append('=').append(Double.doubleToRawLongBits(l)).append(';'));
        sb.append('|').append(plan.unplaced());
        return sb.toString();
    }

    static String digest(TargetAssignment plan) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(describe(plan).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
