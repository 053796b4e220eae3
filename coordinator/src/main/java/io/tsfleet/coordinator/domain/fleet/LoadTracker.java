package io.tsfleet.coordinator.domain.fleet;

import java.time.Duration;
import java.time.Instant;

/**
 * Per-CPU load: an exponentially weighted moving average of the true exit rates the owners report (per-CPU
 * sequence deltas, lost records included), with time constant {@code smoothing}, so that the planner does not
 * chase noise. Also the per-CPU loss counters for the admin API.
 */
public final class LoadTracker {
    private final double[] load;
    private final long[] updatedAtMillis;
    private final long[] lost;
    private final double[] lastRate;
    private final double tauMillis;

    public LoadTracker(int size, Duration smoothing) {
        load = new double[size];
        updatedAtMillis = new long[size];
        lost = new long[size];
        lastRate = new double[size];
        java.util.Arrays.fill(updatedAtMillis, Long.MIN_VALUE);
        tauMillis = Math.max(1, smoothing.toMillis());
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
        updatedAtMillis[cpu] = t;
        lastRate[cpu] = rate;
        if (lostSincePrevious > 0) lost[cpu] += lostSincePrevious;
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
}
