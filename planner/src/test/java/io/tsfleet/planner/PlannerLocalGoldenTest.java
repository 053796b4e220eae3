package io.tsfleet.planner;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a topology the planner answers exactly as it did before the speed-ups of issue #19 item 10: the digests of its
 * answers to 600 seeded problems with nodes and zones ({@link LocalGoldenPlans}) were computed with the planner of
 * commit {@code ef8704c} and must not change (masks, moves, hot CPUs, dedicated, over capacity, projected loads to the
 * last bit, unplaced). {@link PlannerGoldenTest} does the same without a topology. (The golden files were written by
 * {@link #main} and an equivalent run against the planner classes of {@code ef8704c}.)
 */
class PlannerLocalGoldenTest {
    static final int PROBLEMS = 600;

    @Test
    void withATopologyEveryAnswerIsBitForBitTheAnswerOfThePlannerBeforeTheSpeedUps() throws IOException {
        List<String> expected;
        try (InputStream in = getClass().getResourceAsStream("golden-local-plans-ef8704c.txt")) {
            assertThat(in).isNotNull();
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        assertThat(expected).hasSize(PROBLEMS);
        StickyBalancedAssignor assignor = new StickyBalancedAssignor();
        List<String> differing = new ArrayList<>();
        for (int seed = 0; seed < expected.size(); seed++) {
            String actual = GoldenPlans.digest(assignor.assign(LocalGoldenPlans.problem(seed)));
            if (!actual.equals(expected.get(seed))) differing.add("seed " + seed);
        }
        assertThat(differing).isEmpty();
    }

    /**
     * Capacity repair on the edge of fitting ({@link CapacityEdgePlans}): the CPU it prefers to give away fits no
     * receiver, so it takes the next one in its order; 400 answers of the planner of {@code ef8704c}, bit for bit.
     */
    @Test
    void capacityRepairPassingOverAPreferredCpuThatFitsNowhereAnswersAsBefore() throws IOException {
        List<String> expected;
        try (InputStream in = getClass().getResourceAsStream("golden-capacity-edge-plans-ef8704c.txt")) {
            assertThat(in).isNotNull();
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        assertThat(expected).hasSize(400);
        StickyBalancedAssignor assignor = new StickyBalancedAssignor();
        List<String> differing = new ArrayList<>();
        for (int seed = 0; seed < expected.size(); seed++) {
            String actual = GoldenPlans.digest(assignor.assign(CapacityEdgePlans.problem(seed)));
            if (!actual.equals(expected.get(seed))) differing.add("seed " + seed);
        }
        assertThat(differing).isEmpty();
    }

    /** Writes the golden file: {@code main} run with the planner whose answers are to be kept. */
    public static void main(String[] args) {
        StickyBalancedAssignor assignor = new StickyBalancedAssignor();
        for (int seed = 0; seed < PROBLEMS; seed++) System.out.println(GoldenPlans.digest(assignor.assign(LocalGoldenPlans.problem(seed))));
    }
}
