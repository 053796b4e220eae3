package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shortcuts the planning state takes over {@link CpuSet}: the possible set as ranges, the range a CPU falls in, and
 * the lowest CPU of a mask found from its end; each agrees with the plain {@link CpuSet} answer.
 */
class PlanningStateRangesTest {

    @Property(tries = 300)
    void possibleRangesAndTheFirstCpuOfAMaskAgreeWithCpuSet(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3000) int span) {
        Random rnd = new Random(seed);
        CpuSet possible = randomRuns(rnd, span);
        PlanningState s = new PlanningState(PlanningInput.of(possible, List.of(ReplicaSlot.active("r", 0)), Map.of(), new double[0]));
        List<Integer> fromRanges = new ArrayList<>();
        for (int k = 0; k < s.rangeStart.length; k++) {
            assertThat(s.rangeStart[k]).isLessThan(s.rangeEnd[k]);
            if (k > 0) assertThat(s.rangeStart[k]).isGreaterThan(s.rangeEnd[k - 1]); // separate runs, ascending
            for (int c = s.rangeStart[k]; c < s.rangeEnd[k]; c++) fromRanges.add(c);
        }
        assertThat(fromRanges).containsExactlyElementsOf(possible.stream().boxed().toList());
        for (int probe = 0; probe < 40; probe++) {
            int cpu = rnd.nextInt(span + 130);
            int k = s.rangeEndingAfter(cpu);
            int expected = 0;
            while (expected < s.rangeEnd.length && s.rangeEnd[expected] <= cpu) expected++;
            assertThat(k).as("range ending after %d", cpu).isEqualTo(expected);
        }
        CpuSet mask = randomRuns(rnd, span);
        assertThat(PlanningState.firstOf(mask)).isEqualTo(mask.first());
    }

    @Test
    void theFirstCpuOfOneRangeAndOfAlmostOneRange() {
        for (int lo : new int[]{0, 1, 63, 64, 65, 127, 128, 4095}) {
            for (int hi : new int[]{lo, lo + 1, lo + 62, lo + 63, lo + 64, lo + 200}) {
                CpuSet one = CpuSet.range(lo, hi);
                assertThat(PlanningState.firstOf(one)).as("%s", one).isEqualTo(lo);
                // the same size and end, but one CPU sits below the run: a hole inside, not one range
                if (hi > lo) {
                    CpuSet split = CpuSet.builder().add(lo).addRange(lo + 2, hi + 1).build();
                    assertThat(PlanningState.firstOf(split)).as("%s", split).isEqualTo(lo);
                }
                if (lo >= 64 && hi > lo) {
                    CpuSet far = CpuSet.builder().add(lo - 64).addRange(lo + 1, hi).build();
                    assertThat(PlanningState.firstOf(far)).as("%s", far).isEqualTo(lo - 64);
                }
            }
        }
        // length - size is in the mask, but the run from there stops before the end: not one range
        CpuSet gapAbove = CpuSet.builder().add(0).addRange(5, 9).addRange(11, 12).build();
        assertThat(PlanningState.firstOf(gapAbove)).isEqualTo(0);
        assertThat(PlanningState.firstOf(CpuSet.EMPTY)).isEqualTo(-1);
    }

    private static CpuSet randomRuns(Random rnd, int span) {
        CpuSet.Builder b = CpuSet.builder();
        int runs = rnd.nextInt(6);
        for (int i = 0; i < runs && span > 0; i++) {
            int lo = rnd.nextInt(span), hi = Math.min(span - 1, lo + rnd.nextInt(rnd.nextBoolean() ? 3 : 300));
            b.addRange(lo, hi);
        }
        return b.build();
    }
}
