package io.tsfleet.listener.engine;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Time from a reader publishing records to the sink having written them, as a classic histogram with fixed buckets.
 * Recorded once per batch, weighted by the batch's records (one bucket search per batch, not per record).
 */
public final class SinkLatency {
    private static final double[] UPPER_BOUNDS_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10, 30, 60, Double.POSITIVE_INFINITY};
    private static final long[] UPPER_BOUNDS_NANOS = new long[UPPER_BOUNDS_SECONDS.length];

    static {
        for (int i = 0; i < UPPER_BOUNDS_SECONDS.length; i++) {
            UPPER_BOUNDS_NANOS[i] = Double.isInfinite(UPPER_BOUNDS_SECONDS[i]) ? Long.MAX_VALUE : Math.round(UPPER_BOUNDS_SECONDS[i] * 1e9);
        }
    }

    private final AtomicLongArray buckets = new AtomicLongArray(UPPER_BOUNDS_SECONDS.length);
    private final DoubleAdder sumSeconds = new DoubleAdder();

    /** {@code records} records took {@code nanos} each. */
    void record(long nanos, long records) {
        if (records <= 0) return;
        long n = Math.max(0, nanos);
        int i = 0;
        while (n > UPPER_BOUNDS_NANOS[i]) i++;
        buckets.addAndGet(i, records);
        sumSeconds.add(n / 1e9 * records);
    }

    /** The upper bounds in seconds, the last one +Inf. */
    public static double[] upperBounds() {
        return UPPER_BOUNDS_SECONDS.clone();
    }

    /** Records per bucket (each bucket alone, not cumulative), in the order of {@link #upperBounds}. */
    public long[] counts() {
        long[] out = new long[buckets.length()];
        for (int i = 0; i < out.length; i++) out[i] = buckets.get(i);
        return out;
    }

    public double sumSeconds() {
        return sumSeconds.sum();
    }
}
