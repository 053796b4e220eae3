package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.HeldRecord;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Records of one CPU on their way from a reader to the sink: whole netlink frames copied back to back into one
 * byte array, with their offsets. Pooled batches are reused (no allocation per record); an unpooled batch carries
 * records released from a handover holdback.
 */
final class SinkBatch {
    final byte[] data;
    final ByteBuffer buffer;
    final boolean pooled;
    int[] offsets = new int[128];
    int count;
    int used;
    int cpu;
    long enqueuedNanos;

    SinkBatch(int capacity, boolean pooled) {
        this.data = new byte[capacity];
        this.buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.pooled = pooled;
    }

    static SinkBatch of(int cpu, List<HeldRecord> held) {
        int size = 0;
        for (HeldRecord h : held) size += h.frame().length;
        SinkBatch b = new SinkBatch(size, false);
        b.cpu = cpu;
        for (HeldRecord h : held) {
            b.addOffset();
            System.arraycopy(h.frame(), 0, b.data, b.used, h.frame().length);
            b.used += h.frame().length;
        }
        return b;
    }

    boolean fits(int length) {
        return used + length <= data.length;
    }

    /** Copies the frame at {@code at} of {@code src}. */
    void add(ByteBuffer src, int at, int length) {
        addOffset();
        src.get(at, data, used, length);
        used += length;
    }

    void reset(int cpu) {
        this.cpu = cpu;
        count = 0;
        used = 0;
    }

    private void addOffset() {
        if (count == offsets.length) offsets = Arrays.copyOf(offsets, count * 2);
        offsets[count++] = used;
    }
}
