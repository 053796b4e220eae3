package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.HeldRecord;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Records of one CPU, from one broker connection ({@link #origin}), on their way from a reader to the sink: whole netlink frames copied back to back into one
 * byte array, with their offsets and the layout the reader parsed ({@link ExitRecordView#saveLayout}), so that the
 * writer does not parse them again. Pooled batches are reused (no allocation per record); an unpooled batch carries
 * records released from a handover holdback.
 */
final class SinkBatch {
    final byte[] data;
    final ByteBuffer buffer;
    final boolean pooled;
    int[] offsets = new int[128];
    /** {@link ExitRecordView#LAYOUT_INTS} ints per record. */
    int[] layouts = new int[128 * ExitRecordView.LAYOUT_INTS];
    int count;
    int used;
    int cpu;
    /** The node and boot of the connection every record of this batch came from. */
    RecordOrigin origin = RecordOrigin.UNKNOWN;
    long enqueuedNanos;

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
        for (HeldRecord h : held) {
            if (b.count == b.offsets.length) b.grow();
            System.arraycopy(h.layout(), 0, b.layouts, b.count * ExitRecordView.LAYOUT_INTS, ExitRecordView.LAYOUT_INTS);
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
    }

    /** Points {@code view} at record {@code i}, as the reader parsed it. */
    void restore(ExitRecordView view, int i) {
        view.restore(buffer, offsets[i], cpu, origin, layouts, i * ExitRecordView.LAYOUT_INTS);
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
