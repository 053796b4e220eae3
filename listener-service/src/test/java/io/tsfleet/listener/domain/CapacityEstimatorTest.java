package io.tsfleet.listener.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CapacityEstimatorTest {

    @Test
    void unknownUntilRecordsFlow() {
        CapacityEstimator e = new CapacityEstimator(0.5, 2);
        assertThat(e.update(new CapacityEstimator.Window(1, 0, 0, 0, 0, 0)).capacityPerSecond()).isZero();
    }

    @Test
    void theSinkStageServiceRateBoundsTheCapacity() {
        CapacityEstimator e = new CapacityEstimator(1.0, 2);
        // 1000 records written in 0.1 s of writer time: 10000/s; receive stage: 1000 in 0.01 s over 2 cpus -> 200000/s
        CapacityEstimator.Estimate est = e.update(new CapacityEstimator.Window(1, 1000, 0, 1000, 100_000_000L, 10_000_000L));
        assertThat(est.capacityPerSecond()).isCloseTo(10_000, within(1e-6));
        assertThat(est.loadRatio()).isCloseTo(0.1, within(1e-9));
    }

    @Test
    void aWindowWithLossCapsTheCapacityAtWhatWasReceived() {
        CapacityEstimator e = new CapacityEstimator(1.0, 1);
        CapacityEstimator.Estimate est = e.update(new CapacityEstimator.Window(2, 600, 50, 600, 60_000_000L, 1_000_000L));
        assertThat(est.capacityPerSecond()).isEqualTo(300);
    }

    @Test
    void samplesAreSmoothed() {
        CapacityEstimator e = new CapacityEstimator(0.5, 1);
        e.update(new CapacityEstimator.Window(1, 100, 0, 100, 1_000_000_000L, 1));
        CapacityEstimator.Estimate est = e.update(new CapacityEstimator.Window(1, 300, 0, 300, 1_000_000_000L, 1));
        assertThat(est.capacityPerSecond()).isEqualTo(200);
        assertThat(est.loadRatio()).isEqualTo(1.0);
    }
}
