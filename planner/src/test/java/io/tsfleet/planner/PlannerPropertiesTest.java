package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.tsfleet.planner.PlannerFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class PlannerPropertiesTest {
    private final CpuAssignor assignor = new StickyBalancedAssignor();

    /**
     * A random planning problem: a possible set with holes, replicas with or without capacities, a random start; in
     * half of the problems with a random topology (nodes of random sizes in up to three zones, replicas on random
     * nodes), so that every property below holds with locality as well as without.
     */
    @Provide
    Arbitrary<PlanningInput> problems() {
        Arbitrary<Integer> nrCpus = Arbitraries.integers().between(1, 300);
        Arbitrary<Integer> replicaCount = Arbitraries.integers().between(1, 12);
        Arbitrary<Long> seeds = Arbitraries.longs();
        Arbitrary<Double> covered = Arbitraries.of(0.0, 0.5, 1.0);
        Arbitrary<Boolean> withCapacity = Arbitraries.of(true, false);
        Arbitrary<Boolean> withTopology = Arbitraries.of(true, false);
        return Combinators.combine(nrCpus, replicaCount, seeds, covered, withCapacity, withTopology).as((n, r, seed, cov, cap, topo) -> {
            Random rnd = new Random(seed);
            CpuSet.Builder possible = CpuSet.builder();
            for (int c = 0; c < n; c++) if (rnd.nextInt(10) > 0) possible.add(c);
            possible.add(0);
            CpuSet p = possible.build();
            double[] loads = randomLoads(n, seed ^ 0x5eed, rnd.nextBoolean() ? 1000 : 0);
            List<ReplicaSlot> replicas = new ArrayList<>();
            for (int i = 0; i < r; i++) {
                double capacity = cap ? 1000 + rnd.nextInt(100_000) : 0;
                replicas.add(new ReplicaSlot(id(i), capacity, i > 0 && rnd.nextInt(8) == 0));
            }
            PlanningInput input = PlanningInput.of(p, replicas, randomCurrent(p, replicas, seed + 1, cov), loads);
            if (!topo) return input;
            SlotTopology topology = randomTopology(n, 8, seed ^ 0x7090);
            return input.withReplicas(locate(replicas, topology, seed ^ 0x10c)).withTopology(topology);
        });
    }

    @Property(tries = 150)
    void everyPossibleCpuHasExactlyOneOwner(@ForAll("problems") PlanningInput input) {
        TargetAssignment plan = assignor.assign(input);

        assertThat(union(plan.masks())).isEqualTo(input.possibleCpus());
        assertThat(totalSize(plan.masks())).isEqualTo(input.possibleCpus().size());
        assertThat(plan.unplaced()).isEqualTo(CpuSet.EMPTY);
        assertThat(plan.masks().keySet()).containsExactlyInAnyOrderElementsOf(input.replicas().stream().map(ReplicaSlot::id).toList());
    }

    @Property(tries = 150)
    void drainingReplicasEndUpEmptyWhenAnotherReplicaIsActive(@ForAll("problems") PlanningInput input) {
        Assume.that(input.replicas().stream().anyMatch(r -> !r.draining()));
        TargetAssignment plan = assignor.assign(input);

        for (ReplicaSlot r : input.replicas()) {
            if (r.draining()) assertThat(plan.maskOf(r.id())).as(r.id()).isEqualTo(CpuSet.EMPTY);
        }
    }

    @Property(tries = 150)
    void sameInputGivesTheSameOutputWhateverTheOrderOfReplicas(@ForAll("problems") PlanningInput input, @ForAll long shuffleSeed) {
        List<ReplicaSlot> shuffled = new ArrayList<>(input.replicas());
        Collections.shuffle(shuffled, new Random(shuffleSeed));

        TargetAssignment first = assignor.assign(input);
        TargetAssignment second = new StickyBalancedAssignor().assign(input.withReplicas(shuffled));

        assertThat(second).isEqualTo(first);
    }

    @Property(tries = 150)
    void planningThePlansOwnOutputWithUnchangedLoadsIsAFixedPoint(@ForAll("problems") PlanningInput input) {
        TargetAssignment plan = assignor.assign(input);
        TargetAssignment again = assignor.assign(input.withCurrent(plan.masks()));

        assertThat(again.moves()).isEmpty();
        assertThat(again.masks()).isEqualTo(plan.masks());
    }

    @Property(tries = 150)
    void noReplicaIsPlannedAboveItsHeadroomWhenAPlanWithSlackExists(@ForAll long seed, @ForAll @IntRange(min = 1, max = 16) int replicaCount,
                                                                   @ForAll @IntRange(min = 1, max = 400) int nrCpus, @ForAll boolean withTopology) {
        Random rnd = new Random(seed);
        double[] capacities = new double[replicaCount];
        double minLimit = Double.MAX_VALUE, totalLimit = 0;
        List<ReplicaSlot> replicas = new ArrayList<>();
        for (int i = 0; i < replicaCount; i++) {
            capacities[i] = 10_000 + rnd.nextInt(40_000);
            minLimit = Math.min(minLimit, capacities[i] * 0.7);
            totalLimit += capacities[i] * 0.7;
            replicas.add(ReplicaSlot.active(id(i), capacities[i]));
        }
        // Sufficient condition for the greedy repair: total use u of the limits and every CPU <= (1 - u) x the
        // smallest limit (then the least utilised replica always has room for any CPU).
        double utilisation = 0.2 + 0.5 * rnd.nextDouble();
        double perCpuCap = (1 - utilisation) * minLimit - PlannerSettings.DEFAULTS.cpuBaseWeight();
        double[] loads = new double[nrCpus];
        double sum = 0;
        for (int c = 0; c < nrCpus; c++) {
            loads[c] = rnd.nextDouble();
            sum += loads[c];
        }
        double scale = (utilisation * totalLimit - nrCpus * PlannerSettings.DEFAULTS.cpuBaseWeight()) / sum;
        Assume.that(scale > 0);
        for (int c = 0; c < nrCpus; c++) loads[c] = Math.min(loads[c] * scale, perCpuCap);
        Assume.that(perCpuCap > 0);
        CpuSet possible = CpuSet.range(0, nrCpus - 1);
        PlanningInput input = located(PlanningInput.of(possible, replicas, randomCurrent(possible, replicas, seed, 1.0), loads), withTopology, seed);

        TargetAssignment plan = assignor.assign(input);

        assertThat(plan.overCapacity()).isEmpty();
        assertThat(plan.hotCpus()).isEqualTo(CpuSet.EMPTY);
        for (int i = 0; i < replicaCount; i++) {
            double planned = loadOf(plan.maskOf(id(i)), loads, PlannerSettings.DEFAULTS.cpuBaseWeight());
            assertThat(planned).as(id(i)).isLessThanOrEqualTo(capacities[i] * 0.7 * (1 + 1e-9));
        }
    }

    @Property(tries = 100)
    void aBalancedFleetWithUnchangedLoadsPlansNoMove(@ForAll @IntRange(min = 1, max = 1024) int nrCpus,
                                                     @ForAll @IntRange(min = 1, max = 32) int replicaCount) {
        // Contiguous equal shares with equal loads: balanced by construction.
        CpuSet possible = CpuSet.range(0, nrCpus - 1);
        List<ReplicaSlot> replicas = replicas(replicaCount, 0);
        Map<String, CpuSet> current = new java.util.TreeMap<>();
        for (int i = 0; i < replicaCount; i++) {
            int from = (int) ((long) nrCpus * i / replicaCount), to = (int) ((long) nrCpus * (i + 1) / replicaCount) - 1;
            current.put(id(i), to >= from ? CpuSet.range(from, to) : CpuSet.EMPTY);
        }
        double[] loads = new double[nrCpus];
        java.util.Arrays.fill(loads, 50);

        TargetAssignment plan = assignor.assign(PlanningInput.of(possible, replicas, current, loads));

        assertThat(plan.moves()).isEmpty();
    }

    @Property(tries = 100)
    void addingAReplicaToAUniformFleetMovesOnlyCpusToTheNewcomer(@ForAll @IntRange(min = 2, max = 2048) int nrCpus,
                                                                 @ForAll @IntRange(min = 1, max = 31) int replicaCount) {
        CpuSet possible = CpuSet.range(0, nrCpus - 1);
        double[] loads = new double[nrCpus];
        java.util.Arrays.fill(loads, 20);
        PlanningInput before = PlanningInput.of(possible, replicas(replicaCount, 0), Map.of(), loads);
        TargetAssignment settled = assignor.assign(before);
        List<ReplicaSlot> grown = replicas(replicaCount + 1, 0);
        String newcomer = id(replicaCount);

        TargetAssignment plan = assignor.assign(before.withReplicas(grown).withCurrent(settled.masks()));

        assertThat(plan.moves()).allSatisfy(m -> assertThat(m.to()).isEqualTo(newcomer));
        int fairShare = (nrCpus + replicaCount) / (replicaCount + 1); // ceil(n / (r + 1))
        assertThat(plan.moves().size()).isEqualTo(plan.maskOf(newcomer).size()).isLessThanOrEqualTo(fairShare);
        // and the newcomer gets its share up to the balance tolerance
        int share = nrCpus / (replicaCount + 1);
        assertThat(plan.maskOf(newcomer).size()).isGreaterThanOrEqualTo((int) Math.floor(share / 1.05) - 1);
    }

    @Property(tries = 100)
    void aCpuHotterThanAnyReplicaGetsAReplicaOfItsOwnAndStaysThere(@ForAll long seed, @ForAll @IntRange(min = 2, max = 8) int replicaCount,
                                                                  @ForAll @IntRange(min = 4, max = 200) int nrCpus, @ForAll boolean withTopology) {
        Random rnd = new Random(seed);
        int hot = rnd.nextInt(nrCpus);
        double[] loads = new double[nrCpus];
        for (int c = 0; c < nrCpus; c++) loads[c] = rnd.nextDouble() * 10;
        loads[hot] = 50_000; // capacity 10_000 x 0.7 = 7_000
        CpuSet possible = CpuSet.range(0, nrCpus - 1);
        PlanningInput input = located(PlanningInput.of(possible, replicas(replicaCount, 10_000), randomCurrent(possible, replicas(replicaCount, 0), seed, 1.0), loads),
                withTopology, seed);

        TargetAssignment plan = assignor.assign(input);

        assertThat(plan.hotCpus()).isEqualTo(CpuSet.of(hot));
        assertThat(plan.dedicated()).containsValue(hot);
        String owner = plan.dedicated().keySet().iterator().next();
        assertThat(plan.maskOf(owner)).isEqualTo(CpuSet.of(hot));
        TargetAssignment again = assignor.assign(input.withCurrent(plan.masks()));
        assertThat(again.moves()).isEmpty();
        // Load shifts elsewhere do not move the hot CPU again
        double[] shifted = loads.clone();
        for (int c = 0; c < nrCpus; c++) if (c != hot) shifted[c] = rnd.nextDouble() * 10;
        TargetAssignment later = assignor.assign(input.withCurrent(plan.masks()).withLoads(shifted));
        assertThat(later.moves()).noneMatch(m -> m.cpu() == hot);
    }

    @Property(tries = 100)
    void coverageOnlyModeMovesNothingThatHasALiveOwner(@ForAll("problems") PlanningInput input) {
        TargetAssignment plan = assignor.assign(input.withMode(PlanningMode.COVERAGE_ONLY));

        assertThat(union(plan.masks())).isEqualTo(input.possibleCpus());
        assertThat(plan.moves()).allSatisfy(m -> assertThat(input.replicas().stream()
                .filter(r -> r.id().equals(m.from())).findFirst().orElseThrow().draining()).isTrue());
    }

    @Property(tries = 100)
    void pinnedReplicasOwnExactlyTheirPinnedCpus(@ForAll("problems") PlanningInput input, @ForAll long seed) {
        Assume.that(!input.replicas().getFirst().draining());
        Assume.that(input.replicas().stream().skip(1).anyMatch(r -> !r.draining())); // else coverage beats the pin
        Random rnd = new Random(seed);
        CpuSet.Builder pin = CpuSet.builder();
        input.possibleCpus().forEach(c -> {
            if (rnd.nextInt(4) == 0) pin.add(c);
        });
        CpuSet pinned = pin.build();
        Assume.that(!pinned.isEmpty());
        String id = input.replicas().getFirst().id();

        TargetAssignment plan = assignor.assign(input.withPins(Map.of(id, pinned)));

        assertThat(plan.maskOf(id)).isEqualTo(pinned);
        assertThat(union(plan.masks())).isEqualTo(input.possibleCpus());
    }

    @Property(tries = 100)
    void aFreshFleetGetsOneContiguousRangePerReplicaWhenLoadsAreEqual(@ForAll @IntRange(min = 1, max = 4096) int nrCpus,
                                                                     @ForAll @IntRange(min = 1, max = 64) int replicaCount) {
        CpuSet possible = CpuSet.range(0, nrCpus - 1);
        double[] loads = new double[nrCpus];

        TargetAssignment plan = assignor.assign(PlanningInput.of(possible, replicas(replicaCount, 0), Map.of(), loads));

        plan.masks().forEach((id, mask) -> assertThat(mask.rangeCount()).as(id + " " + plan.masks()).isLessThanOrEqualTo(1));
        int min = plan.masks().values().stream().mapToInt(CpuSet::size).min().orElseThrow();
        int max = plan.masks().values().stream().mapToInt(CpuSet::size).max().orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(Math.max(1, (int) Math.ceil(0.05 * nrCpus / replicaCount) + 1));
    }

    /** The input with a random topology over its CPUs and its replicas on random nodes, or the input itself. */
    private static PlanningInput located(PlanningInput input, boolean withTopology, long seed) {
        if (!withTopology) return input;
        SlotTopology topology = randomTopology(input.possibleCpus().length(), 8, seed ^ 0x7090);
        return input.withReplicas(locate(input.replicas(), topology, seed ^ 0x10c)).withTopology(topology);
    }
}
