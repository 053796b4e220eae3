package io.tsfleet.listener.engine;

import io.tsfleet.listener.record.RecordOrigin;

/**
 * Told by the {@link SinkPipeline} about records that were kept but will never be written (the sink failed to write
 * them or lost them from its buffer, or the pipeline was closed before it could write them), so that the replica
 * counts them per (node, CPU) and in its reported loss. Called from the sink writer or the closing thread.
 */
@FunctionalInterface
public interface SinkLossListener {
    SinkLossListener NONE = (origin, cpu, records) -> {
    };

    /** {@code records} records of {@code cpu} from a connection of {@code origin} (null: not known) were not written. */
    void unwritten(RecordOrigin origin, int cpu, long records);
}
