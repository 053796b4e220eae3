package io.tsfleet.benchmarks;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What a per-record histogram costs, per record: the listener's sink writer records the eight {@code *_delay_total}
 * fields of every record it writes into Micrometer distribution summaries with 14 service-level-objective buckets on
 * a Prometheus registry ({@code tsfleet_listener_task_delay_seconds{delay}}; the configuration of
 * {@code listener-service}'s {@code ListenerMetrics}, rebuilt here with the same library, not copied code). JFR of the
 * end-to-end harness charged most of a replica's samples to it, so it is measured on its own, next to a plain
 * single-writer bucket array (the floor of what any fixed-bucket histogram must do per value) and next to
 * {@link CodecBenchmark#decodeInPlace} (about 35 ns per record here).
 *
 * <p>{@code java -jar benchmarks/target/benchmarks.jar RecordMetricsBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RecordMetricsBenchmark {
    static final int RECORDS = 1024;
    private static final int DELAYS = 8;
    /** The listener's bucket bounds in seconds: 1 µs .. 100 s. */
    private static final double[] BUCKETS = {1e-6, 1e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1, 5, 10, 100};

    private static final long[] BOUNDS_NANOS = Arrays.stream(BUCKETS).mapToLong(b -> Math.round(b * 1e9)).toArray();
    private static final int[] FIRST_BUCKET_BY_BIT_LENGTH = firstBucketByBitLength();

    private final DistributionSummary[] summaries = new DistributionSummary[DELAYS];
    private final long[][] plainCounts = new long[DELAYS][BUCKETS.length + 1];
    private final double[] plainSums = new double[DELAYS];
    private final long[][] nanosCounts = new long[DELAYS][BUCKETS.length + 1];
    private final long[] nanosSums = new long[DELAYS];
    private long[] delayNanos;

    @Setup
    public void setUp() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        for (int i = 0; i < DELAYS; i++) {
            summaries[i] = DistributionSummary.builder("tsfleet.listener.task.delay").baseUnit("seconds").tag("delay", "d" + i)
                    .serviceLevelObjectives(BUCKETS).register(registry);
        }
        SplittableRandom rnd = new SplittableRandom(11);
        delayNanos = new long[RECORDS * DELAYS];
        for (int i = 0; i < delayNanos.length; i++) delayNanos[i] = (long) Math.exp(rnd.nextDouble(0, 23));   // 1 ns .. ~10 s
    }

    /** The listener's way: eight {@code DistributionSummary.record} calls per record. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void micrometerSummaries() {
        for (int r = 0; r < RECORDS; r++) {
            for (int d = 0; d < DELAYS; d++) summaries[d].record(delayNanos[r * DELAYS + d] / 1e9);
        }
    }

    /** A single-writer bucket array: binary search and an increment per value (no time window, no atomics). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long plainBuckets() {
        for (int r = 0; r < RECORDS; r++) {
            for (int d = 0; d < DELAYS; d++) {
                double v = delayNanos[r * DELAYS + d] / 1e9;
                int i = Arrays.binarySearch(BUCKETS, v);
                plainCounts[d][i >= 0 ? i : -i - 1]++;
                plainSums[d] += v;
            }
        }
        return plainCounts[0][0];
    }

    /** The listener's way from {@code 02014a1} to {@code 47b8fcb}: a binary search over the bounds in nanoseconds per value. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long nanosBinarySearch() {
        for (int r = 0; r < RECORDS; r++) {
            for (int d = 0; d < DELAYS; d++) {
                long v = delayNanos[r * DELAYS + d];
                int i = Arrays.binarySearch(BOUNDS_NANOS, v);
                nanosCounts[d][i >= 0 ? i : -i - 1]++;
                nanosSums[d] += v;
            }
        }
        return nanosCounts[0][0];
    }

    /**
     * The listener's way since {@code 47b8fcb} ({@code TaskDelayHistograms.bucketOf}): the first bucket a value of its bit length
     * can fall into from a table, then at most two steps over the bounds (they are 2x apart or more).
     */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long nanosBitLengthLookup() {
        for (int r = 0; r < RECORDS; r++) {
            for (int d = 0; d < DELAYS; d++) {
                long v = delayNanos[r * DELAYS + d];
                int i = FIRST_BUCKET_BY_BIT_LENGTH[64 - Long.numberOfLeadingZeros(v)];
                while (i < BOUNDS_NANOS.length && v > BOUNDS_NANOS[i]) i++;
                nanosCounts[d][i]++;
                nanosSums[d] += v;
            }
        }
        return nanosCounts[0][0];
    }

    private static int[] firstBucketByBitLength() {
        int[] first = new int[64];
        for (int bits = 0; bits < 64; bits++) {
            int i = Arrays.binarySearch(BOUNDS_NANOS, bits == 0 ? 0 : 1L << (bits - 1));
            first[bits] = i >= 0 ? i : -i - 1;
        }
        return first;
    }
}
