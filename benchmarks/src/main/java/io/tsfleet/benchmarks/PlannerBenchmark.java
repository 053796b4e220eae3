package io.tsfleet.benchmarks;

import io.tsfleet.benchmarks.planner.CoordinatorPlanner;
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
 * planner plans at most 70 % of it). The planner is the coordinator's own ({@link CoordinatorPlanner}).
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

    private CoordinatorPlanner planner;
    private Object fullInput;
    private Object steadyInput;
    private Object hotSpotInput;
    private Object replicaLostInput;
    private Object replicaLostCoverageInput;
    private Object replicaJoinedInput;

    @Setup(Level.Trial)
    public void setUp() {
        planner = CoordinatorPlanner.load();
        CpuSet possible = CpuSet.range(0, cpus - 1);
        SplittableRandom rnd = new SplittableRandom(42);
        double[] loads = new double[cpus];
        for (int c = 0; c < cpus; c++) loads[c] = 100 * Math.exp(0.5 * rnd.nextGaussian());
        List<Object> slots = slots(replicas);
        fullInput = planner.input(possible, slots, Map.of(), loads);
        Object full = planner.assign(fullInput);
        requireCovered("full plan", full);
        Map<String, CpuSet> current = planner.masks(full);

        steadyInput = planner.input(possible, slots, current, loads);
        Object steady = planner.assign(steadyInput);
        if (planner.moves(steady) != 0) throw new IllegalStateException("re-planning the plan's own output moved " + planner.moves(steady) + " CPUs");

        double[] hot = loads.clone();
        for (int c = 1024; c < 1024 + 64 && c < cpus; c++) hot[c] *= 20;
        hotSpotInput = planner.input(possible, slots, current, hot);

        List<Object> fewer = new ArrayList<>(slots);
        fewer.remove(replicas / 2);
        replicaLostInput = planner.input(possible, fewer, current, loads);
        replicaLostCoverageInput = planner.coverageOnly(replicaLostInput);

        List<Object> more = new ArrayList<>(slots);
        more.add(planner.replica(String.format(Locale.ROOT, "replica-%04d", replicas), 10_000));
        replicaJoinedInput = planner.input(possible, more, current, loads);

        for (Object in : List.of(hotSpotInput, replicaLostInput, replicaLostCoverageInput, replicaJoinedInput)) requireCovered("re-plan", planner.assign(in));
        System.out.printf(Locale.ROOT, "%n# planner from %s; moves: hot spot %d, replica lost %d (coverage-only %d), replica joined %d; full-plan imbalance %.3f%n",
                planner.source(), planner.moves(planner.assign(hotSpotInput)), planner.moves(planner.assign(replicaLostInput)),
                planner.moves(planner.assign(replicaLostCoverageInput)), planner.moves(planner.assign(replicaJoinedInput)), planner.imbalance(full));
    }

    private List<Object> slots(int n) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(planner.replica(String.format(Locale.ROOT, "replica-%04d", i), 10_000));
        return out;
    }

    private void requireCovered(String what, Object plan) {
        if (!planner.unplaced(plan).isEmpty()) throw new IllegalStateException(what + " left CPUs uncovered: " + planner.unplaced(plan));
        Map<String, Integer> sizes = new HashMap<>();
        planner.masks(plan).forEach((id, m) -> sizes.put(id, m.size()));
        if (sizes.values().stream().mapToInt(Integer::intValue).sum() != cpus) throw new IllegalStateException(what + " does not own every CPU exactly once");
    }

    @Benchmark
    public Object fullPlan() {
        return planner.assign(fullInput);
    }

    @Benchmark
    public Object replanUnchanged() {
        return planner.assign(steadyInput);
    }

    @Benchmark
    public Object replanHotSpot() {
        return planner.assign(hotSpotInput);
    }

    @Benchmark
    public Object replanReplicaLost() {
        return planner.assign(replicaLostInput);
    }

    @Benchmark
    public Object replanReplicaLostCoverageOnly() {
        return planner.assign(replicaLostCoverageInput);
    }

    @Benchmark
    public Object replanReplicaJoined() {
        return planner.assign(replicaJoinedInput);
    }
}
