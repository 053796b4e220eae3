package io.tsfleet.benchmarks.planner;

import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The planner benchmark's adapter loads the coordinator's own planner and gets plans that cover every CPU. */
class CoordinatorPlannerTest {
    private static final List<Path> BUILT = List.of(Path.of("../coordinator/target/coordinator.jar"), Path.of("../coordinator/target/classes"));

    @Test
    void plansWithTheCoordinatorsAssignor() {
        assumeTrue(BUILT.stream().anyMatch(Files::exists), "the coordinator module is not built");
        CoordinatorPlanner p = CoordinatorPlanner.load(BUILT);
        List<Object> replicas = List.of(p.replica("a", 1000), p.replica("b", 1000), p.replica("c", 1000), p.replica("d", 1000));
        double[] loads = new double[64];
        Arrays.fill(loads, 10);
        Object plan = p.assign(p.input(CpuSet.range(0, 63), replicas, Map.of(), loads));

        assertThat(p.unplaced(plan).isEmpty()).isTrue();
        Map<String, CpuSet> masks = p.masks(plan);
        assertThat(masks).hasSize(4);
        assertThat(masks.values()).allSatisfy(m -> assertThat(m.size()).isEqualTo(16));
        CpuSet union = masks.values().stream().reduce(CpuSet.EMPTY, CpuSet::union);
        assertThat(union).isEqualTo(CpuSet.range(0, 63));
        assertThat(p.moves(p.assign(p.input(CpuSet.range(0, 63), replicas, masks, loads)))).isZero();
    }

    @Test
    void aMissingBuildIsAClearError() {
        assertThatThrownBy(() -> CoordinatorPlanner.load(List.of(Path.of("no/such/coordinator.jar"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not built");
    }
}
