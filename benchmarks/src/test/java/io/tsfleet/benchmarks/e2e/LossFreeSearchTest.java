package io.tsfleet.benchmarks.e2e;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LossFreeSearchTest {

    /** A model fleet: the source generates at most {@code sourceMax}, the replicas keep at most {@code capacity}. */
    private static LossFreeSearch.RateProbe model(double sourceMax, double capacity, List<Double> offered) {
        return rate -> {
            offered.add(rate);
            double generated = Math.min(rate, sourceMax);
            double kept = Math.min(generated, capacity);
            double lost = generated - kept;
            return new RateTrial(rate, 1, generated, kept, lost, lost, generated < rate ? 1 : 0, 0, Double.NaN, null);
        };
    }

    @Test
    void rampsThenBisectsBelowTheFleetsCapacity() throws Exception {
        List<Double> offered = new ArrayList<>();
        LossFreeSearch.Result r = new LossFreeSearch(100, 1e9, 10, 2, 3).run(model(1e9, 1000, offered), t -> { });
        assertThat(offered).startsWith(100.0, 200.0, 400.0, 800.0, 1600.0);
        assertThat(offered).hasSize(8);                                  // 5 ramp + 3 bisection steps
        assertThat(r.limit()).isEqualTo(LossFreeSearch.Limit.FLEET);
        assertThat(r.lossFreePerSecond()).isBetween(900.0, 1000.0);
        assertThat(r.trials().stream().filter(t -> !t.lossFree())).allMatch(t -> t.offeredPerSecond() > 1000);
    }

    @Test
    void stopsWhenTheSourceSaturatesAndKeepsTheLossFreeRateItDelivered() throws Exception {
        List<Double> offered = new ArrayList<>();
        LossFreeSearch.Result r = new LossFreeSearch(100, 1e9, 10, 2, 3).run(model(500, 1e9, offered), t -> { });
        assertThat(r.limit()).isEqualTo(LossFreeSearch.Limit.SOURCE);
        // 800 generates 500 (short of the offer, but more than the 400 before: ramp on); 1600 generates no more: saturated
        assertThat(offered).containsExactly(100.0, 200.0, 400.0, 800.0, 1600.0);
        assertThat(r.lossFreePerSecond()).isEqualTo(500);
    }

    /** Falls behind (no loss) between 3,000 and 6,000/s, keeps up again above, loses above 20,000/s. */
    private static LossFreeSearch.RateProbe valley(List<Double> offered) {
        return rate -> {
            offered.add(rate);
            boolean behind = rate >= 3000 && rate < 6000;
            double kept = behind ? rate / 2 : Math.min(rate, 20_000);
            double lost = behind ? 0 : rate - kept;
            return new RateTrial(rate, 1, rate, kept, lost, lost, 0, rate - kept - lost, Double.NaN, null);
        };
    }

    @Test
    void looksPastARateThatOnlyFellBehind() throws Exception {
        List<Double> offered = new ArrayList<>();
        LossFreeSearch.Result r = new LossFreeSearch(1000, 1e9, 10, 2, 2, 2).run(valley(offered), t -> { });
        // 4,000 falls behind; 8,000 and 16,000 keep up; 32,000 loses; bisection between 16,000 and 32,000
        assertThat(offered).startsWith(1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 32000.0).hasSize(8);
        assertThat(r.trials().get(2).verdict()).isEqualTo(RateTrial.Verdict.BACKLOG);
        assertThat(r.limit()).isEqualTo(LossFreeSearch.Limit.FLEET);
        assertThat(r.lossFreePerSecond()).isBetween(16_000.0, 20_000.0);

        List<Double> strict = new ArrayList<>();
        LossFreeSearch.Result s = new LossFreeSearch(1000, 1e9, 10, 2, 1).run(valley(strict), t -> { });
        assertThat(strict).containsExactly(1000.0, 2000.0, 4000.0, 2828.4271247461902);
        assertThat(s.lossFreePerSecond()).isEqualTo(2828.4271247461902);
    }

    @Test
    void aLookAheadThatFindsNothingBisectsBelowTheFirstRateThatFellBehind() throws Exception {
        List<Double> offered = new ArrayList<>();
        // behind from 3,000 on, lost from 12,000 on: the look-ahead (6,000 behind, 12,000 lost) ends; bisect 2,000..4,000
        LossFreeSearch.RateProbe probe = rate -> {
            offered.add(rate);
            double kept = rate >= 3000 ? rate / 2 : rate;
            double lost = rate >= 12_000 ? rate / 4 : 0;
            return new RateTrial(rate, 1, rate, kept, lost, lost, 0, rate - kept - lost, Double.NaN, null);
        };
        LossFreeSearch.Result r = new LossFreeSearch(1000, 1e9, 10, 2, 1, 2).run(probe, t -> { });
        assertThat(offered).containsExactly(1000.0, 2000.0, 4000.0, 8000.0, 16000.0, Math.sqrt(2000.0 * 4000.0));
        assertThat(r.lossFreePerSecond()).isEqualTo(Math.sqrt(2000.0 * 4000.0));
    }

    @Test
    void walksDownWhenTheStartAlreadyLoses() throws Exception {
        List<Double> offered = new ArrayList<>();
        LossFreeSearch.Result r = new LossFreeSearch(1000, 1e9, 10, 2, 0).run(model(1e9, 300, offered), t -> { });
        assertThat(offered).containsExactly(1000.0, 500.0, 250.0);
        assertThat(r.lossFreePerSecond()).isEqualTo(250);
        assertThat(r.limit()).isEqualTo(LossFreeSearch.Limit.FLEET);
    }

    @Test
    void reportsWhenNothingIsLossFreeAndWhenTheMaximumPasses() throws Exception {
        LossFreeSearch.Result none = new LossFreeSearch(100, 1e9, 20, 2, 2).run(model(1e9, 1, new ArrayList<>()), t -> { });
        assertThat(none.limit()).isEqualTo(LossFreeSearch.Limit.NONE_LOSS_FREE);
        assertThat(none.best()).isNull();
        assertThat(none.lossFreePerSecond()).isZero();

        LossFreeSearch.Result max = new LossFreeSearch(100, 300, 10, 2, 2).run(model(1e9, 1e9, new ArrayList<>()), t -> { });
        assertThat(max.limit()).isEqualTo(LossFreeSearch.Limit.MAX_RATE);
        assertThat(max.lossFreePerSecond()).isEqualTo(300);
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThatThrownBy(() -> new LossFreeSearch(0, 10, 1, 2, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LossFreeSearch(10, 5, 1, 2, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LossFreeSearch(10, 50, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LossFreeSearch(10, 50, 1, 2, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void verdictsSeparateLossBacklogAndASaturatedSource() {
        FleetCounters t0 = new FleetCounters(0, 0, 0, 0, 0, 0);
        assertThat(RateTrial.between(1000, t0, new FleetCounters(1_000_000_000L, 1000, 0, 0, 1000, 0)).verdict()).isEqualTo(RateTrial.Verdict.OK);
        assertThat(RateTrial.between(1000, t0, new FleetCounters(1_000_000_000L, 1000, 0, 0, 999, 1)).verdict()).isEqualTo(RateTrial.Verdict.LOSS);
        assertThat(RateTrial.between(1000, t0, new FleetCounters(1_000_000_000L, 1000, 3, 0, 1000, 0)).verdict()).isEqualTo(RateTrial.Verdict.LOSS);
        assertThat(RateTrial.between(100_000, t0, new FleetCounters(1_000_000_000L, 100_000, 0, 0, 80_000, 0)).verdict()).isEqualTo(RateTrial.Verdict.BACKLOG);
        assertThat(RateTrial.between(100_000, t0, new FleetCounters(1_000_000_000L, 80_000, 0, 0, 80_000, 0)).verdict()).isEqualTo(RateTrial.Verdict.SOURCE_LIMITED);
        assertThat(RateTrial.between(1000, t0, new FleetCounters(1_000_000_000L, 1000, 0, 5, 1000, 0)).verdict()).isEqualTo(RateTrial.Verdict.SOURCE_LIMITED);
        assertThatThrownBy(() -> RateTrial.between(1, t0, t0)).isInstanceOf(IllegalArgumentException.class);
        // a generator catching up after a stall delivers a burst above the offer: only the offer counts as sustained
        RateTrial burst = RateTrial.between(1000, t0, new FleetCounters(1_000_000_000L, 1200, 0, 0, 1200, 0));
        assertThat(burst.deliveredPerSecond()).isEqualTo(1200);
        assertThat(burst.sustainedPerSecond()).isEqualTo(1000);
    }
}
