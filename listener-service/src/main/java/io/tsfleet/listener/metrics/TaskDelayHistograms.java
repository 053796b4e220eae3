package io.tsfleet.listener.metrics;

import io.tsfleet.listener.engine.RecordObserver;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.protocol.taskstats.TaskstatsField;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Fixed-bucket histograms of the eight {@code *_delay_total} fields of every record written, kept for one writer
 * thread (the sink writer) and read by any number of scrapes. Recording is a table lookup by the value's bit length,
 * a step or two over the bucket bounds in nanoseconds, and two opaque stores into plain arrays: no allocation, no
 * atomics, no clock. Eight Micrometer distribution summaries cost about 30 times as much per record (docs/benchmarks.md,
 * section 3: 1.6 M against 46 M records/s per core), more than everything else a replica does.
 *
 * <p>A delay above {@code Long.MAX_VALUE} nanoseconds (a u64 the kernel never reaches) falls into the +Inf bucket
 * and saturates the sum. A scrape sees every bucket at least as it was when the scrape began; its count is the sum of
 * the buckets it read, so {@code _count} always equals the {@code +Inf} bucket.
 */
public final class TaskDelayHistograms implements RecordObserver {
    static final TaskstatsField[] DELAYS = {
            TaskstatsField.CPU_DELAY_TOTAL, TaskstatsField.BLKIO_DELAY_TOTAL, TaskstatsField.SWAPIN_DELAY_TOTAL,
            TaskstatsField.FREEPAGES_DELAY_TOTAL, TaskstatsField.THRASHING_DELAY_TOTAL, TaskstatsField.COMPACT_DELAY_TOTAL,
            TaskstatsField.WPCOPY_DELAY_TOTAL, TaskstatsField.IRQ_DELAY_TOTAL};
    /** Upper bucket bounds in seconds ({@code le}): 1 µs .. 100 s, by decades and halves. */
    static final double[] BOUNDS_SECONDS = {1e-6, 1e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1, 5, 10, 100};
    private static final long[] BOUNDS_NANOS = Arrays.stream(BOUNDS_SECONDS).mapToLong(s -> Math.round(s * 1e9)).toArray();
    private static final int SLOTS = BOUNDS_NANOS.length + 1;
    private static final int[] FIRST_BUCKET_BY_BIT_LENGTH = firstBucketByBitLength();
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Per delay kind, {@link #SLOTS} non-cumulative bucket counts; the last slot is above the last bound. */
    private final long[] buckets = new long[DELAYS.length * SLOTS];
    private final long[] sumNanos = new long[DELAYS.length];

    /** The label value of a delay kind: {@code cpu}, {@code blkio}, ... {@code irq}. */
    public static String kindName(int kind) {
        return DELAYS[kind].cName().replace("_delay_total", "");
    }

    public static int kinds() {
        return DELAYS.length;
    }

    @Override
    public void observe(ExitRecordView record) {
        for (int kind = 0; kind < DELAYS.length; kind++) {
            if (record.has(DELAYS[kind])) record(kind, record.field(DELAYS[kind]));
        }
    }

    /** Records one delay in nanoseconds; only ever called by the one writer thread. */
    void record(int kind, long nanos) {
        int slot = kind * SLOTS + (nanos < 0 ? SLOTS - 1 : bucketOf(nanos));
        LONGS.setOpaque(buckets, slot, (long) LONGS.getOpaque(buckets, slot) + 1);
        long sum = (long) LONGS.getOpaque(sumNanos, kind);
        long added = nanos < 0 ? Long.MAX_VALUE : sum + nanos;
        LONGS.setOpaque(sumNanos, kind, added < sum ? Long.MAX_VALUE : added);
    }

    /** The index of the first bound {@code >= nanos} (non-negative), or the +Inf slot. */
    static int bucketOf(long nanos) {
        int i = FIRST_BUCKET_BY_BIT_LENGTH[64 - Long.numberOfLeadingZeros(nanos)];
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) i++; // at most two steps: the bounds are 2x apart or more
        return i;
    }

    /**
     * Per bit length of a non-negative value (0..63), the first bucket that values of that length can fall into (saves
     * a binary search).
     */
    private static int[] firstBucketByBitLength() {
        int[] first = new int[64];
        for (int bits = 0; bits < 64; bits++) {
            int i = Arrays.binarySearch(BOUNDS_NANOS, bits == 0 ? 0 : 1L << (bits - 1));
            first[bits] = i >= 0 ? i : -i - 1;
        }
        return first;
    }

    /** A consistent-enough view of one kind for a scrape: cumulative counts per bound, the total count and sum. */
    public Snapshot snapshot(int kind) {
        long[] cumulative = new long[SLOTS];
        long running = 0;
        for (int b = 0; b < SLOTS; b++) {
            running += (long) LONGS.getOpaque(buckets, kind * SLOTS + b);
            cumulative[b] = running;
        }
        return new Snapshot(cumulative, running, (long) LONGS.getOpaque(sumNanos, kind) / 1e9);
    }

    /**
     * @param cumulative counts of values {@code <=} each bound of {@link #BOUNDS_SECONDS}, then of all values (+Inf)
     * @param count      the number of values recorded
     * @param sumSeconds their sum in seconds
     */
    public record Snapshot(long[] cumulative, long count, double sumSeconds) {
        /** The upper bounds matching {@link #cumulative}, ending with +Inf. */
        public static double[] upperBounds() {
            double[] bounds = Arrays.copyOf(BOUNDS_SECONDS, SLOTS);
            bounds[SLOTS - 1] = Double.POSITIVE_INFINITY;
            return bounds;
        }
    }
}
