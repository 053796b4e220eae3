package io.tsfleet.benchmarks;

import io.tsfleet.planner.CpuAssignor;
import io.tsfleet.planner.LocalityShare;
import io.tsfleet.planner.PlannerSettings;
import io.tsfleet.planner.PlanningInput;
import io.tsfleet.planner.PlanningMode;
import io.tsfleet.planner.ReplicaSlot;
import io.tsfleet.planner.SlotTopology;
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
 * joined, a node joined (its slots uncovered) and a node left (its slots gone). Loads are seeded log-normal exit rates
 * around {@code meanLoad} (100/s) per CPU; every replica can take {@code capacity} (10,000) records/s (the planner plans
 * at most 70 % of it). The planner is the coordinator's own: {@link StickyBalancedAssignor} behind the
 * {@link CpuAssignor} SPI of the {@code planner} module, which the coordinator depends on as well.
 *
 * <p>With {@code nodes > 1} the slots are split into that many nodes of equal size (contiguous blocks of global slot
 * indices, as the coordinator numbers them) in three zones, and the replicas are spread evenly over the nodes: the
 * cluster case of issue #19 is {@code -p cpus=131072 -p nodes=1024 -p replicas=256 -p meanLoad=10 -p capacity=20000}.
 * With {@code nodes = 1} there is no topology (a one-node fleet); the node that joins or leaves is then a block of
 * {@code min(128, cpus / 2)} slots.
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
    @Param("1")
    public int nodes;
    @Param("100")
    public double meanLoad;
    @Param("10000")
    public double capacity;

    private final CpuAssignor planner = new StickyBalancedAssignor();
    private PlanningInput fullInput;
    private PlanningInput steadyInput;
    private PlanningInput hotSpotInput;
    private PlanningInput replicaLostInput;
    private PlanningInput replicaLostCoverageInput;
    private PlanningInput replicaJoinedInput;
    private PlanningInput nodeJoinedInput;
    private PlanningInput nodeLeftInput;

    @Setup(Level.Trial)
    public void setUp() {
        int nodeSize = nodes > 1 ? cpus / nodes : Math.max(1, Math.min(128, cpus / 2));
        CpuSet possible = CpuSet.range(0, cpus - 1);
        SplittableRandom rnd = new SplittableRandom(42);
        double[] loads = new double[cpus + nodeSize];
        for (int c = 0; c < loads.length; c++) loads[c] = meanLoad * Math.exp(0.5 * rnd.nextGaussian());
        SlotTopology topology = topology(nodes, false);
        List<ReplicaSlot> slots = slots(replicas);
        fullInput = input(possible, slots, Map.of(), loads, topology);
        TargetAssignment full = planner.assign(fullInput);
        requireCovered("full plan", full, possible);
        Map<String, CpuSet> current = full.masks();

        steadyInput = input(possible, slots, current, loads, topology);
        TargetAssignment steady = planner.assign(steadyInput);
        if (!steady.moves().isEmpty()) throw new IllegalStateException("re-planning the plan's own output moved " + steady.moves().size() + " CPUs");

        double[] hot = loads.clone();
        for (int c = 1024; c < 1024 + 64 && c < cpus; c++) hot[c] *= 20;
        hotSpotInput = input(possible, slots, current, hot, topology);

        List<ReplicaSlot> fewer = new ArrayList<>(slots);
        fewer.remove(replicas / 2);
        replicaLostInput = input(possible, fewer, current, loads, topology);
        replicaLostCoverageInput = replicaLostInput.withMode(PlanningMode.COVERAGE_ONLY);

        List<ReplicaSlot> more = new ArrayList<>(slots);
        more.add(located(ReplicaSlot.active(String.format(Locale.ROOT, "replica-%04d", replicas), capacity), 1));
        replicaJoinedInput = input(possible, more, current, loads, topology);

        CpuSet grown = CpuSet.range(0, cpus + nodeSize - 1);
        nodeJoinedInput = input(grown, slots, current, loads, topology(nodes, true));
        int leaving = nodes > 1 ? nodes / 2 + 1 : 0;
        CpuSet left = possible.minus(CpuSet.range(nodes > 1 ? leaving * nodeSize : cpus / 2, (nodes > 1 ? leaving * nodeSize : cpus / 2) + nodeSize - 1));
        nodeLeftInput = input(left, slots, current, loads, nodes > 1 ? topologyWithout(leaving) : SlotTopology.NONE);

        requireCovered("re-plan", planner.assign(hotSpotInput), possible);
        requireCovered("re-plan", planner.assign(replicaLostInput), possible);
        requireCovered("re-plan", planner.assign(replicaLostCoverageInput), possible);
        requireCovered("re-plan", planner.assign(replicaJoinedInput), possible);
        requireCovered("node joined", planner.assign(nodeJoinedInput), grown);
        requireCovered("node left", planner.assign(nodeLeftInput), left);
        TargetAssignment joinedNode = planner.assign(nodeJoinedInput);
        System.out.printf(Locale.ROOT, "%n# planner from %s; moves: hot spot %d, replica lost %d (coverage-only %d), replica joined %d, node joined %d, node left %d;"
                        + " full-plan imbalance %.3f, over capacity %d; cross-node share: full plan %.3f, node joined %.3f; cross-zone share: full plan %.3f%n",
                plannerSource(), planner.assign(hotSpotInput).moves().size(), planner.assign(replicaLostInput).moves().size(),
                planner.assign(replicaLostCoverageInput).moves().size(), planner.assign(replicaJoinedInput).moves().size(),
                joinedNode.moves().size(), planner.assign(nodeLeftInput).moves().size(), full.imbalanceRatio(), full.overCapacity().size(),
                LocalityShare.of(full, fullInput).crossNodeShare(), LocalityShare.of(joinedNode, nodeJoinedInput).crossNodeShare(),
                LocalityShare.of(full, fullInput).crossZoneShare());
    }

    private PlanningInput input(CpuSet possible, List<ReplicaSlot> slots, Map<String, CpuSet> current, double[] loads, SlotTopology topology) {
        return new PlanningInput(possible, slots, current, loads, Map.of(), PlannerSettings.DEFAULTS, PlanningMode.FULL, topology);
    }

    private String nodeName(int n) {
        return String.format(Locale.ROOT, "node-%04d", n);
    }

    private String zone(int n) {
        return "zone-" + (n * 3 / Math.max(1, nodes));
    }

    /** The nodes of equal size (none when {@code nodes <= 1}); {@code withJoined}: one more node at the end, in zone-0. */
    private SlotTopology topology(int count, boolean withJoined) {
        if (count <= 1) return SlotTopology.NONE;
        int size = cpus / count;
        SlotTopology.Builder b = SlotTopology.builder();
        for (int n = 0; n < count; n++) b.node(nodeName(n), zone(n), CpuSet.range(n * size, n * size + size - 1));
        if (withJoined) b.node(nodeName(count), "zone-0", CpuSet.range(count * size, count * size + size - 1));
        return b.build();
    }

    private SlotTopology topologyWithout(int leaving) {
        int size = cpus / nodes;
        SlotTopology.Builder b = SlotTopology.builder();
        for (int n = 0; n < nodes; n++) if (n != leaving) b.node(nodeName(n), zone(n), CpuSet.range(n * size, n * size + size - 1));
        return b.build();
    }

    /** Replica i runs on node {@code i x nodes / replicas} (no location on a one-node fleet). */
    private ReplicaSlot located(ReplicaSlot slot, int node) {
        return nodes > 1 ? slot.at(nodeName(node), zone(node)) : slot;
    }

    private List<ReplicaSlot> slots(int n) {
        List<ReplicaSlot> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(located(ReplicaSlot.active(String.format(Locale.ROOT, "replica-%04d", i), capacity), (int) ((long) i * nodes / n)));
        }
        return out;
    }

    /** The input of the full plan (for tests). */
    PlanningInput fullInput() {
        return fullInput;
    }

    /** Where the planner's classes were loaded from (the benchmarks jar shades the planner module in). */
    private static String plannerSource() {
        var source = StickyBalancedAssignor.class.getProtectionDomain().getCodeSource();
        return source != null ? source.getLocation().toString() : "unknown";
    }

    private static void requireCovered(String what, TargetAssignment plan, CpuSet possible) {
        if (!plan.unplaced().isEmpty()) throw new IllegalStateException(what + " left CPUs uncovered: " + plan.unplaced());
        Map<String, Integer> sizes = new HashMap<>();
        plan.masks().forEach((id, m) -> sizes.put(id, m.size()));
        if (sizes.values().stream().mapToInt(Integer::intValue).sum() != possible.size()) throw new IllegalStateException(what + " does not own every CPU exactly once");
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

    @Benchmark
    public TargetAssignment replanNodeJoined() {
        return planner.assign(nodeJoinedInput);
    }

    @Benchmark
    public TargetAssignment replanNodeLeft() {
        return planner.assign(nodeLeftInput);
    }
}
