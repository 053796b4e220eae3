package io.tsfleet.coordinator.domain.fleet;

import java.time.Duration;
import java.time.Instant;

/**
 * Per-CPU load: an exponentially weighted moving average of the true exit rates the owners report (per-CPU
 * sequence deltas, lost records included), with time constant {@code smoothing}, so that the planner does not
 * chase noise. Also the per-CPU loss counters for the admin API.
 *
 * <p>A CPU whose owner reports loss on it is not noise: its owner overflows on it now, and an average that takes
 * {@code smoothing} to follow a jump would show an overflow plan a fraction of the CPU's real rate (a hot spot ten
 * times the base rate looks 1.6 times as hot 2 s after its onset with a 30 s constant), so the plan would move too
 * little and the next one would wait for the cooldown. A report that carries loss therefore raises the CPU's load at
 * once to the rate it measured (lost records included); it decays with the average as usual.
 */
public final class LoadTracker {
    private double[] load;
    private long[] updatedAtMillis;
    private long[] lost;
    private double[] lastRate;
    private final double tauMillis;

    public LoadTracker(int size, Duration smoothing) {
        load = new double[size];
        updatedAtMillis = new long[size];
        lost = new long[size];
        lastRate = new double[size];
        java.util.Arrays.fill(updatedAtMillis, Long.MIN_VALUE);
        tauMillis = Math.max(1, smoothing.toMillis());
    }

    /** Room for {@code size} CPUs (slots); what is known of the existing ones stays. */
    public void grow(int size) {
        if (size <= load.length) return;
        int old = load.length;
        load = java.util.Arrays.copyOf(load, size);
        updatedAtMillis = java.util.Arrays.copyOf(updatedAtMillis, size);
        java.util.Arrays.fill(updatedAtMillis, old, size, Long.MIN_VALUE);
        lost = java.util.Arrays.copyOf(lost, size);
        lastRate = java.util.Arrays.copyOf(lastRate, size);
    }

    /** Forgets everything of one CPU (its node left, or rebooted: a new boot's rates start from nothing). */
    public void forget(int cpu) {
        if (cpu < 0 || cpu >= load.length) return;
        load[cpu] = 0;
        updatedAtMillis[cpu] = Long.MIN_VALUE;
        lost[cpu] = 0;
        lastRate[cpu] = 0;
    }

    public void report(int cpu, double rate, long lostSincePrevious, Instant now) {
        if (cpu < 0 || cpu >= load.length) return;
        if (!(rate >= 0) || Double.isInfinite(rate)) rate = 0;
        long t = now.toEpochMilli();
        if (updatedAtMillis[cpu] == Long.MIN_VALUE) {
            load[cpu] = rate;
        } else {
            double dt = Math.max(0, t - updatedAtMillis[cpu]);
            double alpha = 1 - Math.exp(-dt / tauMillis);
            load[cpu] += alpha * (rate - load[cpu]);
        }
        if (lostSincePrevious > 0 && rate > load[cpu]) load[cpu] = rate; // overflowing now: the rate is real
        updatedAtMillis[cpu] = t;
        lastRate[cpu] = rate;
        if (lostSincePrevious > 0) lost[cpu] += lostSincePrevious;
    }

    /** Sets a CPU's average as persisted by a previous coordinator, as if it had been reported at {@code now}. */
    public void restore(int cpu, double value, Instant now) {
        if (cpu < 0 || cpu >= load.length || !(value >= 0) || Double.isInfinite(value)) return;
        load[cpu] = value;
        lastRate[cpu] = value;
        updatedAtMillis[cpu] = now.toEpochMilli();
    }

    /** Whether anything is known of the CPU's load (reported or restored). */
    public boolean known(int cpu) {
        return cpu >= 0 && cpu < load.length && updatedAtMillis[cpu] != Long.MIN_VALUE;
    }

    public double load(int cpu) {
        return cpu >= 0 && cpu < load.length ? load[cpu] : 0;
    }

    /** The rate of the latest report (not smoothed): 0 means the CPU was idle in the last interval. */
    public double lastRate(int cpu) {
        return cpu >= 0 && cpu < lastRate.length ? lastRate[cpu] : 0;
    }

    public long lost(int cpu) {
        return cpu >= 0 && cpu < lost.length ? lost[cpu] : 0;
    }

    public double[] loads() {
        return load.clone();
    }

    /**
     * The loads an overflow plan uses: per CPU the larger of the average and the rate of the latest report. An
     * overflow is happening now: a CPU that just became hot must count with what it measures now, whether or not its
     * owner has lost records on it yet (an owner falls behind on all of its CPUs, but loses on some), or the plan
     * moves too little and the next one waits for the cooldown. The latest rate is noisy at low rates, which only
     * makes such a plan a little more cautious.
     */
    public double[] currentLoads() {
        double[] out = load.clone();
        for (int i = 0; i < out.length; i++) out[i] = Math.max(out[i], lastRate[i]);
        return out;
    }
}
