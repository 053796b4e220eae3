package io.tsfleet.benchmarks.e2e;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The short smoke run of the harness that CI does: proves the pieces work, measures nothing worth keeping. */
class HarnessSmokeTest {

    @Test
    void loopbackBaselineMovesEvents() throws Exception {
        double rate = LoopbackBaseline.eventsPerSecond(2, Duration.ofMillis(700));
        assertThat(rate).isGreaterThan(10_000);
    }

    @Test
    void summaryLinesRoundTrip() {
        SummaryLine l = new SummaryLine("e2e.k2.n64", 1_234_567.8, "records/s", 2_000_000);
        SummaryLine back = SummaryLine.parse(l.format());
        assertThat(back.name()).isEqualTo("e2e.k2.n64");
        assertThat(back.value()).isEqualTo(1_234_567.8);
        assertThat(back.ratio()).isBetween(0.617, 0.618);
        assertThat(SummaryLine.parse(SummaryLine.of("codec", 5, "ops/s").format()).ratio()).isNaN();
        assertThatThrownBy(() -> SummaryLine.parse("RESULT name=x unit=y")).isInstanceOf(IllegalArgumentException.class);
    }
}
