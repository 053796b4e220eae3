package io.tsfleet.coordinator.domain.fleet;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LoadTrackerTest {
    private final LoadTracker loads = new LoadTracker(4, Duration.ofSeconds(30));
    private final Instant t0 = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void aRateJumpWithoutLossIsFollowedSlowly() {
        loads.report(1, 28, 0, t0);
        loads.report(1, 280, 0, t0.plusSeconds(2));
        assertThat(loads.load(1)).isCloseTo(28 + 252 * (1 - Math.exp(-2.0 / 30)), within(1e-6));
        assertThat(loads.lastRate(1)).isEqualTo(280);
    }

    @Test
    void aCpuThatLosesRecordsIsAtOnceAsHotAsItsMeasuredRate() {
        loads.report(1, 28, 0, t0);
        loads.report(1, 280, 17, t0.plusMillis(500)); // its owner overflows on it: the rate counts the lost records
        assertThat(loads.load(1)).isEqualTo(280);
        assertThat(loads.lost(1)).isEqualTo(17);
        loads.report(1, 250, 3, t0.plusMillis(1000)); // a lower rate with loss is averaged, not taken
        assertThat(loads.load(1)).isGreaterThan(250).isLessThan(280);
    }

    @Test
    void aLossyReportBelowTheAverageDoesNotLowerIt() {
        loads.report(2, 100, 0, t0);
        loads.report(2, 40, 5, t0.plusSeconds(1));
        assertThat(loads.load(2)).isCloseTo(100 - 60 * (1 - Math.exp(-1.0 / 30)), within(1e-6));
    }
}
