package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.Http;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

/**
 * The short smoke run of the harness that CI does: proves the pieces work (baseline, the whole measurement path over
 * HTTP and Prometheus text, the search, the summary lines) in a few seconds; measures nothing worth keeping.
 */
class HarnessSmokeTest {

    @Test
    void loopbackBaselineMovesEvents() throws Exception {
        double rate = LoopbackBaseline.eventsPerSecond(LoopbackBaseline.Shape.bulk(2), Duration.ofMillis(700));
        assertThat(rate).isGreaterThan(10_000);
    }

    @Test
    void loopbackBaselineInSmallWritesOverManyConnectionsIsSlowerThanBulk() throws Exception {
        LoopbackBaseline.Shape small = LoopbackBaseline.Shape.measured(512, 1.5 * 596);
        assertThat(small.batchBytes()).isEqualTo(894);
        double smallRate = LoopbackBaseline.eventsPerSecond(small, Duration.ofMillis(700));
        double bulkRate = LoopbackBaseline.eventsPerSecond(LoopbackBaseline.Shape.bulk(2), Duration.ofMillis(700));
        assertThat(smallRate).isGreaterThan(1_000);
        // a syscall per 1.5 events instead of per 440: the per-write cost shows even on a busy machine
        assertThat(smallRate).isLessThan(bulkRate);
    }

    @Test
    void baselineShapesRefuseWhatCannotBeMeasured() {
        assertThatThrownBy(() -> new LoopbackBaseline.Shape(0, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoopbackBaseline.Shape(1, LoopbackBaseline.BULK_BATCH_BYTES + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(LoopbackBaseline.Shape.measured(4, 0.2).batchBytes()).isEqualTo(1);
        assertThat(LoopbackBaseline.Shape.measured(4, 1e9).batchBytes()).isEqualTo(LoopbackBaseline.BULK_BATCH_BYTES);
        assertThat(LoopbackBaseline.split(List.of(1, 2, 3, 4, 5))).containsExactly(List.of(1, 3, 5), List.of(2, 4));
        assertThat(LoopbackBaseline.split(List.of(7))).containsExactly(List.of(7));
    }

    @Test
    void searchOverHttpFindsTheFleetsCapacityAndReportsTheLossAboveIt() throws Exception {
        double capacity = 40_000;
        try (FakeFleet fleet = new FakeFleet(64, capacity)) {
            Http http = new Http(Duration.ofSeconds(5));
            FleetGauge gauge = new FleetGauge(http, fleet.emulatorBase().resolve("/actuator/prometheus"), List.of(fleet.replicaPrometheus()));
            FleetRateProbe probe = new FleetRateProbe(http, fleet.emulatorBase(), 64, gauge, Duration.ofMillis(50), Duration.ofMillis(250),
                    Duration.ofSeconds(5));
            LossFreeSearch.Result r = new LossFreeSearch(10_000, 1_000_000, 1_000, 2, 2).run(probe, t -> { });

            assertThat(r.limit()).isEqualTo(LossFreeSearch.Limit.FLEET);
            assertThat(r.lossFreePerSecond()).isBetween(0.6 * capacity, 1.15 * capacity);   // short windows: scrape timing skew
            RateTrial over = r.trials().stream().filter(t -> t.offeredPerSecond() > 1.2 * capacity).findFirst().orElseThrow();
            assertThat(over.verdict()).isEqualTo(RateTrial.Verdict.LOSS);
            assertThat(over.lost()).isGreaterThan(0);
            // the broker's connection_refused drops (stale entries of replicas that are gone) are not loss
            assertThat(r.best().dropped()).isZero();
            // the broker's batching in the window, from its sent bytes and writes
            assertThat(r.best().bytesPerWrite()).isCloseTo(FakeFleet.EVENTS_PER_WRITE * 596, withPercentage(1));
        }
    }

    @Test
    void summaryLinesRoundTrip() {
        SummaryLine l = new SummaryLine("e2e.n64.k2.lossfree", 1_234_567.8, "records/s", 2_000_000).with("limit", "SOURCE").with("range", "1..2");
        SummaryLine back = SummaryLine.parse(l.format());
        assertThat(back.name()).isEqualTo("e2e.n64.k2.lossfree");
        assertThat(back.value()).isEqualTo(1_234_567.8);
        assertThat(back.ratio()).isBetween(0.617, 0.618);
        assertThat(back.tags()).containsEntry("limit", "SOURCE").containsEntry("range", "1..2");
        assertThat(l.format()).startsWith("RESULT name=e2e.n64.k2.lossfree value=1234567.8 unit=records/s baseline=2000000.0 ratio=0.617 ");
        assertThat(SummaryLine.parse(SummaryLine.of("codec", 5, "ops/s").format()).ratio()).isNaN();
        assertThat(SummaryLine.of("storm.plain.loss", 0.07, "%").format()).contains(" value=0.070 ");
        assertThatThrownBy(() -> SummaryLine.parse("RESULT name=x unit=y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SummaryLine.parse("RESULT name=x value=abc unit=y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SummaryLine.of("has space", 1, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SummaryLine.of("x", 1, "u").with("ratio", "2")).isInstanceOf(IllegalArgumentException.class);
    }
}
