package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.RecordOrigin;

/**
 * How a sink that confirms its writes later ({@link RecordSink#confirmsAsynchronously()}: Kafka, OTLP) tells the
 * replica what became of the records it accepted. Thread-safe: a sink calls it from its own I/O threads. Every record
 * the sink accepted in {@link RecordSink#write} is reported exactly once, as written or as failed; what is still
 * unconfirmed when {@link RecordSink#close} returns is counted as failed by the sink itself before it returns.
 */
public interface SinkOutcomes {
    /** Outcomes nobody listens to (tests of a sink alone). */
    SinkOutcomes IGNORED = new SinkOutcomes() {
        @Override
        public void written(long records) {
        }

        @Override
        public void failed(RecordOrigin origin, int cpu, long records) {
        }
    };

    /** {@code records} records were acknowledged by the destination. */
    void written(long records);

    /**
     * {@code records} records of {@code cpu} from a connection of {@code origin} (null: not known) will never be written
     * (the destination refused them, or the sink's retries ran out): the replica counts them as lost at this sink.
     */
    void failed(RecordOrigin origin, int cpu, long records);
}
