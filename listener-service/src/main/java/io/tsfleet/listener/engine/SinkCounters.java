package io.tsfleet.listener.engine;

import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.listener.sink.SinkOutcomes;

import java.util.concurrent.atomic.LongAdder;

/**
 * What became of the records handed to one sink: written, failed or lost at it ({@link #errors}), dropped because it
 * was slow and its policy is {@code drop}, or left out by {@code processes-only} ({@link #filtered}, not loss). Errors and
 * drops are told to the {@link SinkLossListener} (the engine), which counts them per (node, CPU) as loss. Thread-safe:
 * the sink's writer, the readers (drops), the closing thread and a sink's own I/O threads (as {@link SinkOutcomes} of a
 * sink that confirms its writes later) all count here.
 */
public final class SinkCounters implements SinkOutcomes {
    private final LongAdder written = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder filtered = new LongAdder();
    private volatile SinkLossListener lossListener = SinkLossListener.NONE;

    void lossListener(SinkLossListener listener) {
        this.lossListener = listener == null ? SinkLossListener.NONE : listener;
    }

    @Override
    public void written(long records) {
        if (records > 0) written.add(records);
    }

    /** Records of {@code cpu} the sink failed to write, lost, or gave up on (a sink error): loss. */
    @Override
    public void failed(RecordOrigin origin, int cpu, long records) {
        if (records <= 0) return;
        errors.add(records);
        lossListener.unwritten(origin, cpu, records);
    }

    /** Records of {@code cpu} not queued for this sink because it was slow and its policy is {@code drop}: loss. */
    void dropped(RecordOrigin origin, int cpu, long records) {
        if (records <= 0) return;
        dropped.add(records);
        lossListener.unwritten(origin, cpu, records);
    }

    /** Records left out by {@code processes-only}: not loss. */
    void filtered(long records) {
        if (records > 0) filtered.add(records);
    }

    public long written() {
        return written.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    public long filtered() {
        return filtered.sum();
    }
}
