package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.HeldRecord;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Records of one CPU, from one broker connection ({@link #origin}), on their way from a reader to a sink: whole netlink
 * frames copied back to back into one byte array, with their offsets and the layout the reader parsed
 * ({@link ExitRecordView#saveLayout}), so that the writer does not parse them again, and the wall-clock time the reader
 * read them from the broker ({@link #epochNanos}: one clock read per receive). Pooled batches belong to one
 * {@link SinkPipeline} ({@link #home}) and are reused (no allocation per record); an unpooled batch carries records
 * released from a handover holdback (each with its own time, {@link #times}) or is a reader's scratch batch of the
 * {@link SinkFanOut} (copied into the sinks, never queued itself).
 */
final class SinkBatch {
    final byte[] data;
    final ByteBuffer buffer;
    final boolean pooled;
    /** The pipeline whose pool this batch belongs to (null: unpooled). */
    SinkPipeline home;
    int[] offsets = new int[128];
    /** {@link ExitRecordView#LAYOUT_INTS} ints per record. */
    int[] layouts = new int[128 * ExitRecordView.LAYOUT_INTS];
    /** Per record read times, for records released from a holdback (null: every record was read at {@link #epochNanos}). */
    long[] times;
    int count;
    int used;
    int cpu;
    /** The node and boot of the connection every record of this batch came from. */
    RecordOrigin origin = RecordOrigin.UNKNOWN;
    /** When the reader read the records from the broker: wall clock, ns since the epoch (0: not known). */
    long epochNanos;
    long enqueuedNanos;
    /** Whether the reader that fills this batch may give up waiting for a sink (shutting down), null: never. */
    BooleanSupplier giveUp;

    SinkBatch(int capacity, boolean pooled) {
        this.data = new byte[capacity];
        this.buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.pooled = pooled;
    }

    static SinkBatch of(int cpu, RecordOrigin origin, List<HeldRecord> held) {
        int size = 0;
        for (HeldRecord h : held) size += h.frame().length;
        SinkBatch b = new SinkBatch(size, false);
        b.cpu = cpu;
        b.origin = origin;
        b.times = new long[held.size()];
        for (HeldRecord h : held) {
            if (b.count == b.offsets.length) b.grow();
            System.arraycopy(h.layout(), 0, b.layouts, b.count * ExitRecordView.LAYOUT_INTS, ExitRecordView.LAYOUT_INTS);
            b.times[b.count] = h.timeEpochNanos();
            b.addOffset();
            System.arraycopy(h.frame(), 0, b.data, b.used, h.frame().length);
            b.used += h.frame().length;
        }
        return b;
    }

    boolean fits(int length) {
        return used + length <= data.length;
    }

    /** Copies the frame at {@code at} of {@code src}, which {@code parsed} is wrapped around. */
    void add(ByteBuffer src, int at, int length, ExitRecordView parsed) {
        if (count == offsets.length) grow();
        parsed.saveLayout(layouts, count * ExitRecordView.LAYOUT_INTS);
        addOffset();
        src.get(at, data, used, length);
        used += length;
    }

    void reset(int cpu, RecordOrigin origin) {
        this.cpu = cpu;
        this.origin = origin;
        count = 0;
        used = 0;
        epochNanos = 0;
        times = null;
        giveUp = null;
    }

    /** This batch becomes a copy of {@code src} (which fits: both hold at most one batch of the same size): bulk copies. */
    void copyFrom(SinkBatch src) {
        cpu = src.cpu;
        origin = src.origin;
        epochNanos = src.epochNanos;
        giveUp = src.giveUp;
        times = src.times == null ? null : Arrays.copyOf(src.times, src.count);
        while (offsets.length < src.count) grow();
        System.arraycopy(src.data, 0, data, 0, src.used);
        System.arraycopy(src.offsets, 0, offsets, 0, src.count);
        System.arraycopy(src.layouts, 0, layouts, 0, src.count * ExitRecordView.LAYOUT_INTS);
        count = src.count;
        used = src.used;
    }

    /** Points {@code view} at record {@code i}, as the reader parsed it, with the time it was read. */
    void restore(ExitRecordView view, int i) {
        view.restore(buffer, offsets[i], cpu, origin, layouts, i * ExitRecordView.LAYOUT_INTS);
        view.timeEpochNanos(times == null ? epochNanos : times[i]);
    }

    private void addOffset() {
        if (count == offsets.length) grow();
        offsets[count++] = used;
    }

    private void grow() {
        offsets = Arrays.copyOf(offsets, offsets.length * 2);
        layouts = Arrays.copyOf(layouts, offsets.length * ExitRecordView.LAYOUT_INTS);
    }
}
