package io.tsfleet.benchmarks;

import io.tsfleet.planner.TargetAssignment;
import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The planner benchmark at a small size: its set-up (which checks that every plan covers every CPU once and that
 * re-planning a plan moves nothing) passes, and every benchmark method plans every CPU with the coordinator's planner.
 */
class PlannerBenchmarkTest {

    @Test
    void everyScenarioCoversEveryCpu() {
        PlannerBenchmark b = new PlannerBenchmark();
        b.cpus = 64;
        b.replicas = 4;
        b.setUp();

        List<TargetAssignment> plans = List.of(b.fullPlan(), b.replanUnchanged(), b.replanHotSpot(), b.replanReplicaLost(),
                b.replanReplicaLostCoverageOnly(), b.replanReplicaJoined());
        for (TargetAssignment plan : plans) {
            assertThat(plan.unplaced().isEmpty()).isTrue();
            assertThat(plan.masks().values().stream().reduce(CpuSet.EMPTY, CpuSet::union)).isEqualTo(CpuSet.range(0, 63));
            assertThat(plan.masks().values().stream().mapToInt(CpuSet::size).sum()).isEqualTo(64);
        }
        assertThat(b.replanUnchanged().moves()).isEmpty();
        assertThat(b.fullPlan().masks()).hasSize(4);
        assertThat(b.replanReplicaLost().masks()).hasSize(3);
        assertThat(b.replanReplicaJoined().masks()).hasSize(5);
    }
}
