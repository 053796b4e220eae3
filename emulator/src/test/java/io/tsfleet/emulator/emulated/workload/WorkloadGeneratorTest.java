package io.tsfleet.emulator.emulated.workload;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkloadGeneratorTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-26T00:00:00Z"));
    private final int[] perCpu = new int[8];

    private WorkloadGenerator generator(WorkloadPlan plan) {
        return new WorkloadGenerator(CpuSet.range(0, 7), cpu -> perCpu[cpu]++, clock, plan, 1_000_000);
    }

    private void run(WorkloadGenerator g, int ticks) {
        for (int i = 0; i < ticks; i++) {
            clock.advance(Duration.ofMillis(10));
            g.tick();
        }
    }

    @Test
    void baseRateAndHotSpotsAreExactOverTime() {
        WorkloadGenerator g = generator(new WorkloadPlan(100, CpuSet.of(3), 5, List.of(), null, 1));
        run(g, 1000); // 10 s
        assertThat(perCpu[0]).isBetween(999, 1001);
        assertThat(perCpu[3]).isBetween(4999, 5001);
    }

    @Test
    void burstsLastTheirDurationAndMovingLoadVisitsEveryCpu() {
        WorkloadGenerator g = generator(new WorkloadPlan(10, CpuSet.EMPTY, 1,
                List.of(new WorkloadPlan.Burst(CpuSet.of(1), 100, Duration.ofSeconds(3), Duration.ofSeconds(1))),
                new WorkloadPlan.MovingLoad(1, 50, Duration.ofSeconds(8)), 7));
        run(g, 800); // 8 s: the window spends 1 s on each CPU
        assertThat(perCpu[1]).as("6 s at 10/s, 1 s of moving load (500/s), 1 s of burst (1000/s)").isBetween(1555, 1565);
        for (int cpu : new int[] {0, 2, 3, 4, 5, 6, 7}) assertThat(perCpu[cpu]).isBetween(70 + 490, 80 + 510);
    }

    @Test
    void sameSeedSameExits() {
        int[] a = new int[8];
        int[] b = new int[8];
        for (int[] target : new int[][] {a, b}) {
            ManualClock c = new ManualClock(Instant.parse("2026-11-26T00:00:00Z"));
            WorkloadGenerator g = new WorkloadGenerator(CpuSet.range(0, 7), cpu -> target[cpu]++, c, WorkloadPlan.steady(3.3, 99), 1_000);
            for (int i = 0; i < 137; i++) {
                c.advance(Duration.ofMillis(7));
                g.tick();
            }
        }
        assertThat(a).isEqualTo(b);
    }

    @Test
    void aTickNeverEmitsMoreThanItsLimitAndCountsTheRest() {
        WorkloadGenerator g = new WorkloadGenerator(CpuSet.range(0, 7), cpu -> perCpu[cpu]++, clock, WorkloadPlan.steady(1_000_000, 1), 100);
        clock.advance(Duration.ofSeconds(1));
        assertThat(g.tick()).isEqualTo(100);
        assertThat(g.lagged()).isGreaterThan(7_000_000);
    }

    @Test
    void aLateTickCatchesUpAtMostItsLimitAndCountsTheRestAsLagged() {
        WorkloadGenerator g = new WorkloadGenerator(CpuSet.range(0, 7), cpu -> perCpu[cpu]++, clock, WorkloadPlan.steady(1000, 1), 1_000_000,
                Duration.ofMillis(50));
        run(g, 10); // on time: 100 ms at 8,000/s
        assertThat(java.util.Arrays.stream(perCpu).sum()).isBetween(792, 808);
        assertThat(g.lagged()).isZero();
        clock.advance(Duration.ofMillis(500)); // the tick thread was stalled for half a second
        assertThat(g.tick()).as("50 ms worth, not 500").isBetween(392, 408);
        assertThat(g.lagged()).as("the other 450 ms").isBetween(3599L, 3600L);
        run(g, 10);
        assertThat(g.lagged()).as("on time again: nothing more lagged").isBetween(3599L, 3600L);
        assertThatThrownBy(() -> new WorkloadGenerator(CpuSet.range(0, 7), cpu -> { }, clock, WorkloadPlan.steady(1, 1), 10, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badPlansAreRefused() {
        assertThatThrownBy(() -> WorkloadPlan.steady(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WorkloadPlan(1, CpuSet.EMPTY, 0.5, List.of(), null, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WorkloadPlan.MovingLoad(1, 2, Duration.ofMillis(5))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void planTimesBeyondSevenDaysAreRefused() {
        Duration tooLong = WorkloadPlan.MAX_DURATION.plusMillis(1);
        assertThatThrownBy(() -> new WorkloadPlan.MovingLoad(1, 2, Duration.ofMillis(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("moving period must be within 100..604800000 ms");
        assertThatThrownBy(() -> new WorkloadPlan.MovingLoad(1, 2, tooLong)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WorkloadPlan.Burst(CpuSet.of(1), 2, tooLong, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("burst startAfter");
        assertThatThrownBy(() -> new WorkloadPlan.Burst(CpuSet.of(1), 2, Duration.ZERO, tooLong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("burst duration");
    }

    @Test
    void theLongestPeriodSweepsAllCpusWithoutOverflowAtAnyPoint() {
        Duration period = WorkloadPlan.MAX_DURATION;
        for (int cpus : new int[] {1, 8, 8192}) {
            assertThat(WorkloadGenerator.windowStart(Duration.ZERO, period, cpus)).isZero();
            assertThat(WorkloadGenerator.windowStart(period.minusNanos(1), period, cpus)).isEqualTo(cpus - 1);
            assertThat(WorkloadGenerator.windowStart(period.multipliedBy(1000).plus(period.dividedBy(2)), period, cpus)).isEqualTo(cpus / 2);
        }
        WorkloadGenerator g = generator(new WorkloadPlan(0, CpuSet.EMPTY, 1, List.of(), new WorkloadPlan.MovingLoad(2, 10, period), 1));
        clock.advance(period.multipliedBy(3).minusSeconds(1));
        g.tick();
        run(g, 10);
    }

    @Test
    void factorsThatMultiplyBeyondAnyRateStayAtTheHighestRateAndTheCountsStayFinite() {
        List<WorkloadPlan.Burst> bursts = new java.util.ArrayList<>();
        for (int i = 0; i < 999; i++) bursts.add(new WorkloadPlan.Burst(CpuSet.of(0), WorkloadPlan.MAX_FACTOR, Duration.ZERO, Duration.ofDays(1)));
        bursts.add(new WorkloadPlan.Burst(CpuSet.of(0), 0, Duration.ZERO, Duration.ofDays(1))); // Infinity × 0 would be NaN
        WorkloadGenerator g = new WorkloadGenerator(CpuSet.range(0, 7), cpu -> perCpu[cpu]++, clock,
                new WorkloadPlan(WorkloadPlan.MAX_RATE, CpuSet.of(0, 1), WorkloadPlan.MAX_FACTOR, bursts, null, 1), 1_000, Duration.ofMillis(50));
        clock.advance(Duration.ofMillis(10));
        assertThat(g.tick()).isEqualTo(1_000);
        clock.advance(Duration.ofSeconds(10)); // late: most of it is skipped and counted
        g.tick();
        assertThat(g.lagged()).as("CPU 1 skipped 9.95 s at 10^10 exits/s (a NaN on CPU 0 would lose that)").isGreaterThan(99_000_000_000L).isLessThan(Long.MAX_VALUE);
        assertThat(perCpu[0]).as("the last burst silences CPU 0").isZero();
        assertThat(perCpu[1]).isEqualTo(2_000);
    }
}
