package io.tsfleet.benchmarks;

import io.tsfleet.planner.CpuAssignor;
import io.tsfleet.planner.PlanningInput;
import io.tsfleet.planner.PlanningMode;
import io.tsfleet.planner.ReplicaSlot;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.planner.TargetAssignment;
import io.tsfleet.protocol.cpu.CpuSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's planner at 8192 CPUs and 256 replicas: a full plan from nothing (a coordinator's first plan, every
 * CPU uncovered) and incremental re-plans from the current assignment: unchanged loads (the fixed point: nothing
 * moves), a hot spot (64 contiguous CPUs at 20 times their load), a replica lost (full and coverage-only), a replica
 * joined. Loads are seeded log-normal exit rates around 100/s per CPU; every replica can take 10,000 records/s (the
 * planner plans at most 70 % of it). The planner is the coordinator's own: {@link StickyBalancedAssignor} behind the
 * {@link CpuAssignor} SPI of the {@code planner} module, which the coordinator depends on as well.
 *
 * <p>{@code java -jar benchmarks/target/benchmarks.jar PlannerBenchmark} from the repository root.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PlannerBenchmark {
    @Param("8192")
    public int cpus;
    @Param("256")
    public int replicas;

    private final CpuAssignor planner = new StickyBalancedAssignor();
    private PlanningInput fullInput;
    private PlanningInput steadyInput;
    private PlanningInput hotSpotInput;
    private PlanningInput replicaLostInput;
    private PlanningInput replicaLostCoverageInput;
    private PlanningInput replicaJoinedInput;

    @Setup(Level.Trial)
    public void setUp() {
        CpuSet possible = CpuSet.range(0, cpus - 1);
        SplittableRandom rnd = new SplittableRandom(42);
        double[] loads = new double[cpus];
        for (int c = 0; c < cpus; c++) loads[c] = 100 * Math.exp(0.5 * rnd.nextGaussian());
        List<ReplicaSlot> slots = slots(replicas);
        fullInput = PlanningInput.of(possible, slots, Map.of(), loads);
        TargetAssignment full = planner.assign(fullInput);
        requireCovered("full plan", full);
        Map<String, CpuSet> current = full.masks();

        steadyInput = PlanningInput.of(possible, slots, current, loads);
        TargetAssignment steady = planner.assign(steadyInput);
        if (!steady.moves().isEmpty()) throw new IllegalStateException("re-planning the plan's own output moved " + steady.moves().size() + " CPUs");

        double[] hot = loads.clone();
        for (int c = 1024; c < 1024 + 64 && c < cpus; c++) hot[c] *= 20;
        hotSpotInput = PlanningInput.of(possible, slots, current, hot);

        List<ReplicaSlot> fewer = new ArrayList<>(slots);
        fewer.remove(replicas / 2);
        replicaLostInput = PlanningInput.of(possible, fewer, current, loads);
        replicaLostCoverageInput = replicaLostInput.withMode(PlanningMode.COVERAGE_ONLY);

        List<ReplicaSlot> more = new ArrayList<>(slots);
        more.add(ReplicaSlot.active(String.format(Locale.ROOT, "replica-%04d", replicas), 10_000));
        replicaJoinedInput = PlanningInput.of(possible, more, current, loads);

        for (PlanningInput in : List.of(hotSpotInput, replicaLostInput, replicaLostCoverageInput, replicaJoinedInput)) requireCovered("re-plan", planner.assign(in));
        System.out.printf(Locale.ROOT, "%n# planner from %s; moves: hot spot %d, replica lost %d (coverage-only %d), replica joined %d; full-plan imbalance %.3f%n",
                plannerSource(), planner.assign(hotSpotInput).moves().size(), planner.assign(replicaLostInput).moves().size(),
                planner.assign(replicaLostCoverageInput).moves().size(), planner.assign(replicaJoinedInput).moves().size(), full.imbalanceRatio());
    }

    private static List<ReplicaSlot> slots(int n) {
        List<ReplicaSlot> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(ReplicaSlot.active(String.format(Locale.ROOT, "replica-%04d", i), 10_000));
        return out;
    }

    /** Where the planner's classes were loaded from (the benchmarks jar shades the planner module in). */
    private static String plannerSource() {
        var source = StickyBalancedAssignor.class.getProtectionDomain().getCodeSource();
        return source != null ? source.getLocation().toString() : "unknown";
    }

    private void requireCovered(String what, TargetAssignment plan) {
        if (!plan.unplaced().isEmpty()) throw new IllegalStateException(what + " left CPUs uncovered: " + plan.unplaced());
        Map<String, Integer> sizes = new HashMap<>();
        plan.masks().forEach((id, m) -> sizes.put(id, m.size()));
        if (sizes.values().stream().mapToInt(Integer::intValue).sum() != cpus) throw new IllegalStateException(what + " does not own every CPU exactly once");
    }

    @Benchmark
    public TargetAssignment fullPlan() {
        return planner.assign(fullInput);
    }

    @Benchmark
    public TargetAssignment replanUnchanged() {
        return planner.assign(steadyInput);
    }

    @Benchmark
    public TargetAssignment replanHotSpot() {
        return planner.assign(hotSpotInput);
    }

    @Benchmark
    public TargetAssignment replanReplicaLost() {
        return planner.assign(replicaLostInput);
    }

    @Benchmark
    public TargetAssignment replanReplicaLostCoverageOnly() {
        return planner.assign(replicaLostCoverageInput);
    }

    @Benchmark
    public TargetAssignment replanReplicaJoined() {
        return planner.assign(replicaJoinedInput);
    }
}
