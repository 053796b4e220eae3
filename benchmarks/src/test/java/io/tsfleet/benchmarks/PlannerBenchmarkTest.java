package io.tsfleet.benchmarks;

import io.tsfleet.planner.LocalityShare;
import io.tsfleet.planner.TargetAssignment;
import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The planner benchmark at a small size: its set-up (which checks that every plan covers every CPU once and that
 * re-planning a plan moves nothing) passes, and every benchmark method plans every CPU with the coordinator's planner,
 * on a one-node fleet and on a fleet of nodes with a topology.
 */
class PlannerBenchmarkTest {

    @Test
    void everyScenarioCoversEveryCpu() {
        PlannerBenchmark b = new PlannerBenchmark();
        b.cpus = 64;
        b.replicas = 4;
        b.nodes = 1;
        b.meanLoad = 100;
        b.capacity = 10_000;
        b.setUp();

        checkScenarios(b, 32);
    }

    @Test
    void everyScenarioCoversEverySlotOfAFleetOfNodes() {
        PlannerBenchmark b = new PlannerBenchmark();
        b.cpus = 128;
        b.replicas = 4;
        b.nodes = 16;
        b.meanLoad = 10;
        b.capacity = 20_000;
        b.setUp();

        checkScenarios(b, 8);
        // Four replicas on nodes 0, 4, 8 and 12 of 16: at least 3/4 of the load is cross-node, and little more is.
        assertThat(LocalityShare.of(b.fullPlan(), b.fullInput()).crossNodeShare()).isBetween(0.7, 0.85);
    }

    private static void checkScenarios(PlannerBenchmark b, int nodeSize) {
        List<TargetAssignment> plans = List.of(b.fullPlan(), b.replanUnchanged(), b.replanHotSpot(), b.replanReplicaLost(),
                b.replanReplicaLostCoverageOnly(), b.replanReplicaJoined());
        for (TargetAssignment plan : plans) {
            assertThat(plan.unplaced().isEmpty()).isTrue();
            assertThat(plan.masks().values().stream().reduce(CpuSet.EMPTY, CpuSet::union)).isEqualTo(CpuSet.range(0, b.cpus - 1));
            assertThat(plan.masks().values().stream().mapToInt(CpuSet::size).sum()).isEqualTo(b.cpus);
        }
        assertThat(b.replanUnchanged().moves()).isEmpty();
        assertThat(b.fullPlan().masks()).hasSize(4);
        assertThat(b.replanReplicaLost().masks()).hasSize(3);
        assertThat(b.replanReplicaJoined().masks()).hasSize(5);
        TargetAssignment joined = b.replanNodeJoined();
        assertThat(joined.masks().values().stream().reduce(CpuSet.EMPTY, CpuSet::union)).isEqualTo(CpuSet.range(0, b.cpus + nodeSize - 1));
        assertThat(joined.masks().values().stream().mapToInt(CpuSet::size).sum()).isEqualTo(b.cpus + nodeSize);
        TargetAssignment left = b.replanNodeLeft();
        assertThat(left.masks().values().stream().mapToInt(CpuSet::size).sum()).isEqualTo(b.cpus - nodeSize);
        assertThat(left.unplaced().isEmpty()).isTrue();
    }
}
