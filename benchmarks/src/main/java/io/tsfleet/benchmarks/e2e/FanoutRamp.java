package io.tsfleet.benchmarks.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Finds the fan-out's saturation: the offered exit rate grows by {@code growth} per step from {@code start} until the
 * events delivered to the listeners stop growing ({@code patience} steps in a row gain less than {@code minGain} over the
 * best so far: on a shared machine one step can fall short by chance) or {@code max} is reached. The result is the highest delivered rate of any step, with what was dropped in that step's
 * window, and separately the highest delivered rate of a step in which nothing was dropped.
 */
public final class FanoutRamp {
    /** What ended the ramp (what the step after the best one showed). */
    public enum Limit {
        /** The emulator generated clearly less than offered: the exit path (generation + fan-out) is at its limit. */
        SOURCE,
        /** The broker dropped events (full or congested receive queues): draining and reading are at their limit. */
        DROPS,
        /** More was generated and nothing dropped, but no more was delivered (the machine is busy). */
        FLAT,
        /** The highest offered rate was reached while the delivered rate still grew. */
        MAX_RATE
    }

    /** One step: an offered rate held for a window. */
    @FunctionalInterface
    public interface StepProbe {
        FanoutStep run(double offeredExitsPerSecond) throws IOException, InterruptedException;
    }

    /**
     * @param steps    every step, in order
     * @param best     the step with the highest delivered rate
     * @param lossFree the step with the highest delivered rate among those without drops, or null when every step dropped
     * @param limit    why the ramp stopped
     */
    public record Result(List<FanoutStep> steps, FanoutStep best, FanoutStep lossFree, Limit limit) {
        public double lossFreePerSecond() {
            return lossFree == null ? 0 : lossFree.deliveredPerSecond();
        }
    }

    private final double start;
    private final double max;
    private final double growth;
    private final double minGain;
    private final int patience;

    public FanoutRamp(double start, double max, double growth, double minGain, int patience) {
        if (!(start > 0 && max >= start && growth > 1 && minGain >= 0 && patience >= 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "bad ramp: start %s, max %s, growth %s, min gain %s, patience %d",
                    start, max, growth, minGain, patience));
        }
        this.start = start;
        this.max = max;
        this.growth = growth;
        this.minGain = minGain;
        this.patience = patience;
    }

    public Result run(StepProbe probe, Consumer<FanoutStep> progress) throws IOException, InterruptedException {
        List<FanoutStep> steps = new ArrayList<>();
        FanoutStep best = null;
        FanoutStep lossFree = null;
        double rate = start;
        int flat = 0;
        while (true) {
            FanoutStep s = probe.run(rate);
            steps.add(s);
            progress.accept(s);
            if (s.lossFree() && (lossFree == null || s.deliveredPerSecond() > lossFree.deliveredPerSecond())) lossFree = s;
            boolean gained = best == null || s.deliveredPerSecond() >= (1 + minGain) * best.deliveredPerSecond();
            if (best == null || s.deliveredPerSecond() > best.deliveredPerSecond()) best = s;
            flat = gained ? 0 : flat + 1;
            if (flat >= patience) return new Result(steps, best, lossFree, limitShownBy(s));
            if (rate >= max) return new Result(steps, best, lossFree, Limit.MAX_RATE);
            rate = Math.min(max, rate * growth);
        }
    }

    static Limit limitShownBy(FanoutStep s) {
        if (s.sourceLimited()) return Limit.SOURCE;
        if (!s.lossFree()) return Limit.DROPS;
        return Limit.FLAT;
    }
}
