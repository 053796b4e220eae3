package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MinimumMovesTest {
    private static final Map<String, CpuSet> FOUR = Map.of("a", CpuSet.range(0, 15), "b", CpuSet.range(16, 31),
            "c", CpuSet.range(32, 47), "d", CpuSet.range(48, 63));

    private static double[] hotSpot() {
        double[] l = new double[64];
        Arrays.fill(l, 500);
        for (int c = 0; c < 8; c++) l[c] = 5000;       // replica a: 8 x 5000 + 8 x 500 = 44,000
        return l;
    }

    @Test
    void theOverloadedReplicaShedsItsHottestCpusFirst() {
        assertThat(MinimumMoves.atLimit(hotSpot(), FOUR, 30_000)).isEqualTo(3);   // shed 14,000: 3 hot CPUs
        assertThat(MinimumMoves.atLimit(hotSpot(), FOUR, 21_000)).isEqualTo(5);   // shed 23,000: 5 hot CPUs
        assertThat(MinimumMoves.atLimit(hotSpot(), FOUR, 50_000)).isZero();
    }

    @Test
    void anUnreachableLimitIsMinusOne() {
        assertThat(MinimumMoves.atLimit(hotSpot(), FOUR, 4000)).isEqualTo(-1);    // a single CPU is hotter than the limit
        assertThat(MinimumMoves.atLimit(hotSpot(), FOUR, 16_000)).isEqualTo(-1);  // the others have no room for the rest
        assertThatThrownBy(() -> MinimumMoves.atLimit(hotSpot(), FOUR, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void movedCpusCountsOwnerChanges() {
        Map<String, CpuSet> after = Map.of("a", CpuSet.range(3, 15), "b", CpuSet.range(16, 31).union(CpuSet.of(0)),
                "c", CpuSet.range(32, 47).union(CpuSet.of(1, 2)), "d", CpuSet.range(48, 63));
        assertThat(RebalanceBenchmark.movedCpus(FOUR, after)).isEqualTo(3);
        assertThat(RebalanceBenchmark.movedCpus(FOUR, FOUR)).isZero();
    }
}
