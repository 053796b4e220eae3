package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;

import java.io.IOException;

/**
 * Where records go. One writer thread calls a sink, never concurrently: {@link #write} for each record kept by the
 * replica, {@link #flush} when the queue in front of the sink runs empty (and at shutdown), {@link #close} once.
 *
 * <p>The {@link ExitRecordView} passed to {@code write} is a flyweight over the receive batch: it is valid only during
 * the call; copy what you keep. A {@code write} that throws loses that record (the replica counts it as a sink
 * error and as unwritten on its CPU, which it reports as lost) and the writer goes on with the next one. A sink that
 * buffers and loses records it had accepted must say so with {@link RecordsLostException} (naming the CPU of each
 * record) from {@code write}, {@code flush} or {@code close}; any other exception from {@code flush} or {@code close}
 * is taken to have lost nothing. A slow sink is safe: the queue in front of it is bounded, and
 * when it is full the replica stops reading the broker, so the backlog shows up as broker overflow (ENOBUFS and
 * sequence gaps), never as unbounded memory.
 *
 * <p>To add a sink, implement this interface and a {@link RecordSinkProvider} for its scheme, and make the provider a
 * Spring bean (or list it in {@code META-INF/services/io.tsfleet.listener.sink.RecordSinkProvider}); then select it
 * with {@code tsfleet.listener.sink=<scheme>:<argument>}.
 */
public interface RecordSink extends AutoCloseable {

    void write(ExitRecordView record) throws IOException;

    void flush() throws IOException;

    @Override
    void close() throws IOException;

    /** For logs and the API: what the sink writes to. */
    String describe();

    /**
     * False (the default): a record counts as written when {@link #write} returns. True: the destination confirms
     * records later (Kafka's acknowledgement, an OTLP export), and the sink reports each accepted record exactly once
     * to {@link SinkContext#outcomes()}, as written or failed, from any thread.
     */
    default boolean confirmsAsynchronously() {
        return false;
    }
}
