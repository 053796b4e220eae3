package io.tsfleet.planner;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without a topology the planner answers exactly as it did before locality and the cluster-scale speed-ups: the
 * digests of its answers to 400 seeded problems ({@link GoldenPlans}) were computed with the planner of commit
 * {@code 3dc60f8} and must not change (masks, moves, hot CPUs, dedicated, over capacity, projected loads to the last
 * bit, unplaced).
 */
class PlannerGoldenTest {

    @Test
    void withoutATopologyEveryAnswerIsBitForBitTheAnswerOfThePlannerBeforeLocality() throws IOException {
        List<String> expected;
        try (InputStream in = getClass().getResourceAsStream("golden-plans-3dc60f8.txt")) {
            assertThat(in).isNotNull();
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        assertThat(expected).hasSize(400);
        StickyBalancedAssignor assignor = new StickyBalancedAssignor();
        List<String> differing = new ArrayList<>();
        for (int seed = 0; seed < expected.size(); seed++) {
            String actual = GoldenPlans.digest(assignor.assign(GoldenPlans.problem(seed)));
            if (!actual.equals(expected.get(seed))) differing.add("seed " + seed);
        }
        assertThat(differing).isEmpty();
    }
}
