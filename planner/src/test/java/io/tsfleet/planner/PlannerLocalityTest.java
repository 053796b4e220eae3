package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.tsfleet.planner.PlannerFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Locality: a node's slots on replicas of the same node, then the same zone, when capacity and balance allow. */
class PlannerLocalityTest {
    private final CpuAssignor assignor = new StickyBalancedAssignor();

    /**
     * A fleet in zones: zone z has {@code k_z} replicas and {@code k_z x m} slots of equal load, spread over one to three
     * nodes of the zone; its replicas run on random nodes of the zone (a node may have none). Replica ids are shuffled,
     * so that id order says nothing about where a replica runs.
     */
    record ZonedFleet(PlanningInput input, int perReplica) {
    }

    @Provide
    Arbitrary<ZonedFleet> zonedFleets() {
        return Combinators.combine(Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 24), Arbitraries.longs(),
                Arbitraries.of(0.0, 3.0, 250.0)).as((zones, m, seed, load) -> {
            Random rnd = new Random(seed);
            SlotTopology.Builder topology = SlotTopology.builder();
            List<String[]> locations = new ArrayList<>(); // {node, zone} per replica
            int slot = 0, nodeNumber = 0;
            for (int z = 0; z < zones; z++) {
                int replicas = 1 + rnd.nextInt(4);
                int slots = replicas * m;
                int nodes = 1 + rnd.nextInt(3);
                List<String> nodeNames = new ArrayList<>();
                int start = slot;
                for (int n = 0; n < nodes; n++) {
                    int end = n == nodes - 1 ? start + slots : slot + rnd.nextInt(start + slots - slot + 1);
                    String name = node(nodeNumber++);
                    topology.node(name, "zone-" + z, end > slot ? CpuSet.range(slot, end - 1) : CpuSet.EMPTY);
                    nodeNames.add(name);
                    slot = end;
                }
                for (int i = 0; i < replicas; i++) locations.add(new String[]{nodeNames.get(rnd.nextInt(nodes)), rnd.nextBoolean() ? "zone-" + z : null});
            }
            Collections.shuffle(locations, rnd);
            List<ReplicaSlot> replicas = new ArrayList<>();
            for (int i = 0; i < locations.size(); i++) replicas.add(ReplicaSlot.active(id(i), 0).at(locations.get(i)[0], locations.get(i)[1]));
            double[] loads = new double[slot];
            java.util.Arrays.fill(loads, load);
            PlanningInput input = PlanningInput.of(CpuSet.range(0, slot - 1), replicas, Map.of(), loads).withTopology(topology.build());
            return new ZonedFleet(input, m);
        });
    }

    @Property(tries = 200)
    void aFreshPlanKeepsEveryZoneInTheZoneWhenItsReplicasCanCarryItsFairShare(@ForAll("zonedFleets") ZonedFleet fleet) {
        PlanningInput input = fleet.input();

        TargetAssignment plan = assignor.assign(input);

        SlotTopology topology = input.topology();
        for (ReplicaSlot r : input.replicas()) {
            String zone = r.zone() != null ? r.zone() : topology.zoneOfNode(r.node());
            plan.maskOf(r.id()).forEach(c -> assertThat(topology.zoneOf(c)).as(r + " owns " + c).isEqualTo(zone));
            assertThat(plan.maskOf(r.id()).size()).as(r.id()).isEqualTo(fleet.perReplica());
        }
        assertThat(LocalityShare.of(plan, input).crossZoneLoad()).isZero();
        assertThat(assignor.assign(input.withCurrent(plan.masks())).moves()).isEmpty();
    }

    @Property(tries = 200)
    void aFreshPlanPlacesNoSlotOffNodeWhenEveryNodesReplicasCanCarryItsFairShare(@ForAll @IntRange(min = 1, max = 12) int nodes,
                                                                                @ForAll @IntRange(min = 1, max = 40) int perReplica,
                                                                                @ForAll long seed) {
        // Node i has k_i replicas and k_i x perReplica slots: at the fair share every node fits its own replicas.
        Random rnd = new Random(seed);
        SlotTopology.Builder topology = SlotTopology.builder();
        List<String> where = new ArrayList<>();
        int slot = 0;
        for (int n = 0; n < nodes; n++) {
            int k = 1 + rnd.nextInt(3);
            topology.node(node(n), rnd.nextInt(4) == 0 ? null : "zone-" + rnd.nextInt(2), CpuSet.range(slot, slot + k * perReplica - 1));
            slot += k * perReplica;
            for (int i = 0; i < k; i++) where.add(node(n));
        }
        Collections.shuffle(where, rnd);
        List<ReplicaSlot> replicas = new ArrayList<>();
        for (int i = 0; i < where.size(); i++) replicas.add(ReplicaSlot.active(id(i), 0).at(where.get(i), null));
        double[] loads = new double[slot];
        java.util.Arrays.fill(loads, 1 + rnd.nextInt(100));
        PlanningInput input = PlanningInput.of(CpuSet.range(0, slot - 1), replicas, Map.of(), loads).withTopology(topology.build());

        TargetAssignment plan = assignor.assign(input);

        LocalityShare share = LocalityShare.of(plan, input);
        assertThat(share.crossNodeLoad()).isZero();
        assertThat(share.totalLoad()).isPositive();
        for (ReplicaSlot r : replicas) {
            assertThat(plan.maskOf(r.id()).size()).isEqualTo(perReplica);
            plan.maskOf(r.id()).forEach(c -> assertThat(input.topology().nodeNameOf(c)).isEqualTo(r.node()));
        }
    }

    @Property(tries = 150)
    void withATopologyAUniformFleetStillEndsBalanced(@ForAll @IntRange(min = 1, max = 400) int nrCpus, @ForAll @IntRange(min = 2, max = 16) int replicaCount,
                                                      @ForAll long seed, @ForAll boolean fresh) {
        // Equal loads and no capacity limits: balancing can always move a CPU while max - min exceeds one CPU, so the
        // plan is within the balance bounds or within one CPU, with or without locality.
        CpuSet possible = CpuSet.range(0, nrCpus - 1);
        SlotTopology topology = randomTopology(nrCpus, 8, seed);
        List<ReplicaSlot> replicas = locate(replicas(replicaCount, 0), topology, seed + 1);
        double[] loads = new double[nrCpus];
        java.util.Arrays.fill(loads, 10);
        Map<String, CpuSet> current = fresh ? Map.of() : randomCurrent(possible, replicas, seed + 2, 1.0);
        PlanningInput input = PlanningInput.of(possible, replicas, current, loads).withTopology(topology);

        TargetAssignment plan = assignor.assign(input);

        int max = plan.masks().values().stream().mapToInt(CpuSet::size).max().orElseThrow();
        int min = plan.masks().values().stream().mapToInt(CpuSet::size).min().orElseThrow();
        double mean = (double) nrCpus / replicaCount;
        boolean withinBounds = max <= 1.05 * Math.max(mean, 1) && min >= mean / 1.05;
        assertThat(withinBounds || max - min <= 1).as("sizes %d..%d", min, max).isTrue();
    }

    @Property(tries = 150)
    void theLocalitySharesAreSharesOfTheWholeLoad(@ForAll @IntRange(min = 1, max = 300) int nrCpus, @ForAll @IntRange(min = 1, max = 12) int replicaCount,
                                                  @ForAll long seed) {
        CpuSet possible = CpuSet.range(0, nrCpus - 1);
        SlotTopology topology = randomTopology(nrCpus, 8, seed);
        List<ReplicaSlot> replicas = locate(replicas(replicaCount, 0), topology, seed + 1);
        double[] loads = randomLoads(nrCpus, seed + 2, 1000);
        PlanningInput input = PlanningInput.of(possible, replicas, randomCurrent(possible, replicas, seed + 3, 0.5), loads).withTopology(topology);

        LocalityShare share = LocalityShare.of(assignor.assign(input), input);

        double total = 0;
        for (double l : loads) total += l;
        assertThat(share.totalLoad()).isCloseTo(total, within(1e-6 * (1 + total)));
        assertThat(share.crossZoneLoad()).isBetween(0.0, share.crossNodeLoad());
        assertThat(share.crossNodeLoad()).isLessThanOrEqualTo(share.totalLoad());
        assertThat(share.crossNodeShare()).isBetween(0.0, 1.0);
        assertThat(share.crossZoneShare()).isBetween(0.0, share.crossNodeShare());
    }

    @Test
    void theLocalityShareCountsLoadOwnedFromAnotherNodeAndAnotherZone() {
        SlotTopology topology = SlotTopology.builder()
                .node("worker-1", "zone-a", CpuSet.range(0, 3))
                .node("worker-2", "zone-a", CpuSet.range(4, 7))
                .node("worker-3", "zone-b", CpuSet.range(8, 11))
                .node("worker-4", null, CpuSet.of(12))
                .build();
        double[] loads = {1, 1, 1, 1, 10, 10, 10, 10, 100, 100, 100, 100, 1000};
        List<ReplicaSlot> replicas = List.of(ReplicaSlot.active("a", 0).at("worker-1", null), ReplicaSlot.active("b", 0).at("worker-3", "zone-b"),
                ReplicaSlot.active("c", 0).at("elsewhere", "zone-a"), ReplicaSlot.active("d", 0));
        Map<String, CpuSet> assignment = Map.of(
                "a", CpuSet.of(0, 1, 2, 4),      // 3 on its node, 10 from worker-2 in its zone (zone of worker-1)
                "b", CpuSet.of(3, 8, 9, 10, 11), // 1 from worker-1 in zone-a: cross-zone; 400 on its node
                "c", CpuSet.of(5, 6, 12),        // 20 from zone-a on an unknown node (its zone is zone-a); 1000 from a node without zone
                "d", CpuSet.of(7));              // location unknown: cross-node and cross-zone

        LocalityShare share = LocalityShare.of(assignment, replicas, loads, topology);

        assertThat(share.totalLoad()).isEqualTo(1444.0);
        assertThat(share.crossNodeLoad()).isEqualTo(10 + 1 + 20 + 1000 + 10);
        assertThat(share.crossZoneLoad()).isEqualTo(1 + 1000 + 10);
        assertThat(share.crossNodeShare()).isCloseTo(1041.0 / 1444, within(1e-12));
        assertThat(share.crossZoneShare()).isCloseTo(1011.0 / 1444, within(1e-12));
        assertThat(LocalityShare.of(Map.of(), replicas, loads, topology).crossNodeShare()).isZero();
        // Without a topology nothing is known to be local.
        assertThat(LocalityShare.of(assignment, replicas, loads, SlotTopology.NONE).crossZoneShare()).isEqualTo(1.0);
    }

    @Test
    void aNodeThatJoinsWithItsOwnReplicaIsCoveredByItWithoutMovingAnything() {
        SlotTopology two = SlotTopology.builder().node("worker-1", "zone-a", CpuSet.range(0, 7)).node("worker-2", "zone-b", CpuSet.range(8, 15)).build();
        List<ReplicaSlot> replicas = new ArrayList<>(List.of(ReplicaSlot.active("r-z", 0).at("worker-1", null), ReplicaSlot.active("r-a", 0).at("worker-2", null)));
        double[] loads = new double[24];
        java.util.Arrays.fill(loads, 5);
        PlanningInput before = PlanningInput.of(CpuSet.range(0, 15), replicas, Map.of(), loads).withTopology(two);
        TargetAssignment settled = assignor.assign(before);
        assertThat(settled.maskOf("r-z")).isEqualTo(CpuSet.range(0, 7));
        assertThat(settled.maskOf("r-a")).isEqualTo(CpuSet.range(8, 15));

        SlotTopology three = SlotTopology.builder().node("worker-1", "zone-a", CpuSet.range(0, 7)).node("worker-2", "zone-b", CpuSet.range(8, 15))
                .node("worker-3", "zone-a", CpuSet.range(16, 23)).build();
        replicas.add(ReplicaSlot.active("r-m", 0).at("worker-3", null));
        PlanningInput joined = new PlanningInput(CpuSet.range(0, 23), replicas, settled.masks(), loads, Map.of(), PlannerSettings.DEFAULTS,
                PlanningMode.FULL, three);

        TargetAssignment plan = assignor.assign(joined);

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.maskOf("r-m")).isEqualTo(CpuSet.range(16, 23));
        assertThat(LocalityShare.of(plan, joined).crossNodeShare()).isZero();
    }

    @Test
    void aLostReplicasSlotsGoToItsNodeThenItsZoneAsFarAsBalanceAllowsThenAnywhere() {
        // Two zones of two nodes, two replicas per node, 16 slots per node, equal loads: every replica owns 8 slots of
        // its node. Replica z0-a dies: its 8 slots need owners, and the fair share becomes 64 / 7 = 9.14 slots. (The
        // ids of zone-b sort first, so that the least loaded replica on a tie, the lowest id, is in the other zone.)
        SlotTopology.Builder b = SlotTopology.builder();
        List<ReplicaSlot> replicas = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            b.node("n" + n, n < 2 ? "zone-a" : "zone-b", CpuSet.range(16 * n, 16 * n + 15));
            String prefix = (n < 2 ? "z" : "a") + n;
            replicas.add(ReplicaSlot.active(prefix + "-a", 0).at("n" + n, null));
            replicas.add(ReplicaSlot.active(prefix + "-b", 0).at("n" + n, null));
        }
        SlotTopology topology = b.build();
        double[] loads = new double[64];
        java.util.Arrays.fill(loads, 9); // weight 10 with the base weight
        PlanningInput all = PlanningInput.of(CpuSet.range(0, 63), replicas, Map.of(), loads).withTopology(topology);
        TargetAssignment settled = assignor.assign(all);
        assertThat(LocalityShare.of(settled, all).crossNodeShare()).isZero();
        CpuSet lost = settled.maskOf("z0-a");
        assertThat(lost.size()).isEqualTo(8);

        List<ReplicaSlot> survivors = replicas.stream().filter(r -> !r.id().equals("z0-a")).toList();
        PlanningInput after = all.withReplicas(survivors).withCurrent(settled.masks());
        TargetAssignment plan = assignor.assign(after);

        assertThat(plan.moves()).isEmpty(); // only the lost replica's slots get new owners
        Map<String, Integer> received = new TreeMap<>();
        for (ReplicaSlot r : survivors) received.put(r.id(), plan.maskOf(r.id()).intersect(lost).size());
        // Its node-mate fills up to the fair share first, then the zone-mates; then, within the balance tolerance (9.6
        // slots), nobody can take a whole slot more, so the rest goes to the least loaded replicas of the other zone.
        assertThat(received.get("z0-b")).isEqualTo(1);
        assertThat(received.get("z1-a") + received.get("z1-b")).isEqualTo(2);
        assertThat(received.get("a2-a") + received.get("a2-b") + received.get("a3-a") + received.get("a3-b")).isEqualTo(5);
        int max = plan.masks().values().stream().mapToInt(CpuSet::size).max().orElseThrow();
        int min = plan.masks().values().stream().filter(m -> !m.isEmpty()).mapToInt(CpuSet::size).min().orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(1);
    }

    @Test
    void aReplicaThatJoinsANodeIsGivenThatNodesSlotsByBalancing() {
        // Replica a on worker-1 owns the slots of both nodes; b joins on worker-2. Balancing moves half of a's slots to b:
        // with locality those of worker-2 (without, compactness alone would pick a's lowest range, worker-1's slots).
        SlotTopology topology = SlotTopology.builder().node("worker-1", "zone-a", CpuSet.range(0, 7)).node("worker-2", "zone-a", CpuSet.range(8, 15)).build();
        double[] loads = new double[16];
        java.util.Arrays.fill(loads, 20);
        List<ReplicaSlot> replicas = List.of(ReplicaSlot.active("a", 0).at("worker-1", null), ReplicaSlot.active("b", 0).at("worker-2", null));
        PlanningInput input = PlanningInput.of(CpuSet.range(0, 15), replicas, Map.of("a", CpuSet.range(0, 15)), loads).withTopology(topology);

        TargetAssignment plan = assignor.assign(input);

        assertThat(plan.maskOf("b")).isEqualTo(CpuSet.range(8, 15));
        assertThat(plan.moves()).hasSize(8);
        assertThat(LocalityShare.of(plan, input).crossNodeShare()).isZero();
        assertThat(assignor.assign(input.withCurrent(plan.masks())).moves()).isEmpty();
    }

    @Test
    void aTopologyRefusesARepeatedNodeAndASlotOnTwoNodes() {
        assertThatThrownBy(() -> SlotTopology.builder().node("n", null, CpuSet.of(0)).node("n", null, CpuSet.of(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("given twice");
        assertThatThrownBy(() -> SlotTopology.builder().node("n", null, CpuSet.range(0, 4)).node("m", null, CpuSet.of(4)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slot 4");
        assertThatThrownBy(() -> SlotTopology.builder().node(" ", null, CpuSet.of(0))).isInstanceOf(IllegalArgumentException.class);
        assertThat(SlotTopology.builder().build()).isSameAs(SlotTopology.NONE);
        assertThat(ReplicaSlot.active("r", 0).at(" ", "")).isEqualTo(new ReplicaSlot("r", 0, false));
    }
}
