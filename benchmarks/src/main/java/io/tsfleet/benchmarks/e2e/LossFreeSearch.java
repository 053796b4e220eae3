package io.tsfleet.benchmarks.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds the highest loss-free delivered rate of a fleet: ramps the offered rate up geometrically until a trial loses
 * records or falls behind, then bisects (geometrically) between the last good and the first bad rate. Stops early when
 * the source saturates: the emulator generated less than offered and no more than {@value #SATURATION_GAIN}x what it
 * generated in the previous trial (asking more produces nothing more: higher offers would only measure the
 * generator, or the machine's cores). A source that falls short but still grows (a busy machine) is ramped on. If the
 * starting rate already fails, it halves the rate until a trial passes or the floor is reached.
 *
 * <p>A trial that only fell behind ({@link RateTrial.Verdict#BACKLOG}, nothing lost) does not end the ramp at once: the
 * ramp looks up to {@code lookPastBacklog} trials further. The fleet's cost per record is not constant: with many
 * connections a moderate rate gives each socket write one or two events, and a write costs the same whatever it
 * carries, so a rate that falls behind can lie below rates that keep up (the broker's writes grow with the rate). A
 * loss ends the ramp; so does a look-ahead that finds no rate that keeps up, and the bisection then runs between the
 * last good rate and the first that fell behind.
 */
public final class LossFreeSearch {
    /** A source-limited trial must generate at least this much more than the previous one to keep the ramp going. */
    public static final double SATURATION_GAIN = 1.1;

    /** Runs one trial at an offered rate. */
    @FunctionalInterface
    public interface RateProbe {
        RateTrial run(double offeredPerSecond) throws IOException, InterruptedException;
    }

    /** What stopped the search. */
    public enum Limit {
        /** Records were lost, or the replicas fell behind, above the best rate. */
        FLEET,
        /** The emulator could not generate more (its generator or the machine's cores were saturated). */
        SOURCE,
        /** The configured maximum rate passed. */
        MAX_RATE,
        /** Not even the lowest rate tried was loss-free. */
        NONE_LOSS_FREE
    }

    /** The outcome: the best loss-free trial (null when none), why the search stopped, and every trial in order. */
    public record Result(RateTrial best, Limit limit, List<RateTrial> trials) {
        /** The best loss-free trial's sustained rate ({@link RateTrial#sustainedPerSecond()}), 0 when none. */
        public double lossFreePerSecond() {
            return best == null ? 0 : best.sustainedPerSecond();
        }
    }

    private final double start;
    private final double max;
    private final double floor;
    private final double growth;
    private final int refineSteps;
    private final int lookPastBacklog;

    /** A search that stops at the first trial that falls behind. */
    public LossFreeSearch(double start, double max, double floor, double growth, int refineSteps) {
        this(start, max, floor, growth, refineSteps, 0);
    }

    /**
     * @param start       first offered rate
     * @param max         highest offered rate tried
     * @param floor       lowest offered rate tried when the start fails
     * @param growth      factor of the ramp (&gt; 1)
     * @param refineSteps bisection steps between the last good and the first bad rate
     * @param lookPastBacklog trials the ramp goes on after one that fell behind without loss
     */
    public LossFreeSearch(double start, double max, double floor, double growth, int refineSteps, int lookPastBacklog) {
        if (!(start > 0 && max >= start && floor > 0 && floor <= start)) throw new IllegalArgumentException("need 0 < floor <= start <= max");
        if (!(growth > 1)) throw new IllegalArgumentException("growth must be > 1");
        if (refineSteps < 0 || lookPastBacklog < 0) throw new IllegalArgumentException("refineSteps and lookPastBacklog must be >= 0");
        this.start = start;
        this.max = max;
        this.floor = floor;
        this.growth = growth;
        this.refineSteps = refineSteps;
        this.lookPastBacklog = lookPastBacklog;
    }

    public Result run(RateProbe probe, Consumer<RateTrial> progress) throws IOException, InterruptedException {
        List<RateTrial> trials = new ArrayList<>();
        RateTrial best = null;
        double good = Double.NaN;
        double bad = Double.NaN;
        double rate = start;
        double previousGenerated = 0;
        double firstBehind = Double.NaN;   // the first rate that fell behind since the last good one
        int lookedPast = 0;
        Limit limit = null;
        while (true) {
            RateTrial t = probe.run(rate);
            trials.add(t);
            progress.accept(t);
            if (t.lossFree()) {
                best = better(best, t);
                good = rate;
                firstBehind = Double.NaN;
                lookedPast = 0;
                boolean saturated = t.verdict() == RateTrial.Verdict.SOURCE_LIMITED
                        && t.generatedPerSecond() < SATURATION_GAIN * previousGenerated;
                previousGenerated = t.generatedPerSecond();
                if (saturated) {
                    limit = Limit.SOURCE;
                    break;
                }
                if (!Double.isNaN(bad)) break;          // we came down from a failing start
                if (rate >= max) {
                    limit = Limit.MAX_RATE;
                    break;
                }
                rate = Math.min(max, rate * growth);
            } else {
                if (!Double.isNaN(good) && t.verdict() == RateTrial.Verdict.BACKLOG && lookedPast < lookPastBacklog && rate < max) {
                    if (Double.isNaN(firstBehind)) firstBehind = rate;
                    lookedPast++;
                    rate = Math.min(max, rate * growth);
                    continue;
                }
                bad = Double.isNaN(firstBehind) ? rate : firstBehind;
                if (!Double.isNaN(good)) break;
                if (rate / 2 < floor) {
                    limit = Limit.NONE_LOSS_FREE;
                    break;
                }
                rate = rate / 2;
            }
        }
        if (limit == null) {
            limit = Limit.FLEET;
            for (int i = 0; i < refineSteps && bad / good > 1.05; i++) {
                double mid = Math.sqrt(good * bad);
                RateTrial t = probe.run(mid);
                trials.add(t);
                progress.accept(t);
                if (t.lossFree()) {
                    best = better(best, t);
                    good = mid;
                } else {
                    bad = mid;
                }
            }
        }
        return new Result(best, limit, List.copyOf(trials));
    }

    private static RateTrial better(RateTrial a, RateTrial b) {
        return a == null || b.sustainedPerSecond() > a.sustainedPerSecond() ? b : a;
    }
}
