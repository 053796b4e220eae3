package io.tsfleet.listener.engine;

/**
 * Told by the {@link SinkPipeline} about records that were kept but will never be written (the sink failed to write
 * them or lost them from its buffer, or the pipeline was closed before it could write them), so that the replica
 * counts them per CPU and in its reported loss. Called from the sink writer or the closing thread.
 */
@FunctionalInterface
public interface SinkLossListener {
    SinkLossListener NONE = (cpu, records) -> {
    };

    void unwritten(int cpu, long records);
}
