package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records to a Kafka topic ({@code tsfleet.listener.sink=kafka:<topic>}, see {@link KafkaSinkProvider} for the options):
 * one Kafka record per exit, its value the record's JSON object (the {@link JsonLineEncoder} line without its newline),
 * its key {@code <node>/<boot_id>/<cpu>} (so that one CPU's records of one boot stay in order in one partition), its
 * headers {@code seq} (decimal), {@code node}, {@code boot_id} (both left out when the broker did not report them) and
 * {@code cpu}, its timestamp the exit time when known.
 *
 * <p>Writes are confirmed later ({@link #confirmsAsynchronously()}): a record counts as written when Kafka acknowledged
 * it (with the default {@code acks=all}: when every in-sync replica has it) and as failed, on its (node, CPU), when
 * the producer gave up on it (after its retries, {@code delivery.timeout.ms}; or at once: a record larger than
 * {@code max.request.size}, no room in {@code buffer.memory} within {@code max.block.ms}). Each accepted record is
 * reported exactly once to {@link SinkContext#outcomes()}. A {@code send} that throws (the producer is closed, a
 * serializer failed) was not accepted: {@link #write} throws and the replica counts that record as lost at the sink.
 *
 * <p>When the Kafka brokers are unreachable, the producer keeps records in {@code buffer.memory}; when that is full,
 * {@code send} (and so {@link #write}) blocks for up to {@code max.block.ms}. That stalls the sink's writer, which is
 * the backpressure of {@code when-slow=block}: the queue in front of the sink fills, the replica stops reading its
 * brokers and the backlog becomes counted broker overflow. Records still waiting when {@code max.block.ms} or
 * {@code delivery.timeout.ms} run out are counted as failed.
 *
 * <p>{@link #flush} does nothing: the producer sends on its own after {@code linger.ms}, and waiting there for the
 * acknowledgements would stall the writer for nothing. {@link #close} gives the producer {@code close-timeout} to send
 * and have acknowledged what it holds, closes it, and counts every record still unconfirmed then as failed.
 */
public final class KafkaSink implements RecordSink {
    private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);
    /** Key caches of this many connections at most; a replica has far fewer at a time (one per CPU it holds). */
    private static final int MAX_CACHED_ORIGINS = 4096;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final JsonLineEncoder encoder;
    private final SinkOutcomes outcomes;
    private final Duration closeTimeout;
    private final String description;
    /** Records sent and not yet confirmed: what {@link #close} counts as failed if the producer never answers for them. */
    private final Set<Confirmation> unconfirmed = ConcurrentHashMap.newKeySet();
    private final Map<RecordOrigin, OriginKeys> keys = new HashMap<>();
    private boolean closed;

    public KafkaSink(Producer<byte[], byte[]> producer, String topic, String replicaId, SinkOutcomes outcomes, Duration closeTimeout,
                     String bootstrapServers) {
        this.producer = producer;
        this.topic = topic;
        this.encoder = new JsonLineEncoder(replicaId);
        this.outcomes = outcomes;
        this.closeTimeout = closeTimeout;
        this.description = "kafka:" + topic + " (bootstrap servers " + bootstrapServers + ")";
    }

    @Override
    public void write(ExitRecordView record) throws IOException {
        if (closed) throw new IOException("kafka sink " + topic + " is closed");
        encoder.encode(record);
        byte[] value = Arrays.copyOf(encoder.bytes(), encoder.size() - 1);
        RecordOrigin origin = record.origin();
        int cpu = record.cpu();
        OriginKeys k = keysOf(origin);
        Header[] headers = k.headers(cpu, Long.toString(record.seq()).getBytes(StandardCharsets.US_ASCII));
        long nanos = record.timeEpochNanos();
        Long timestamp = nanos > 0 ? nanos / 1_000_000 : null;
        Confirmation c = new Confirmation(origin, cpu);
        unconfirmed.add(c);
        try {
            producer.send(new ProducerRecord<>(topic, null, timestamp, k.key(cpu), value, new RecordHeaders(headers)), c);
        } catch (KafkaException | IllegalStateException e) {
            // not accepted (closed producer, serializer error): this write's record is lost, the caller counts it
            if (c.settle()) unconfirmed.remove(c);
            throw new IOException("kafka sink " + topic + " refused a record of CPU " + cpu + ": " + e.getMessage(), e);
        }
    }

    /** Nothing to do: the producer sends after {@code linger.ms} by itself (see the class comment). */
    @Override
    public void flush() {
    }

    /**
     * Gives the producer {@code close-timeout} to deliver what it holds, then closes it; every record not confirmed by
     * then is reported as failed on its (node, CPU). Never throws for lost records: they went to the outcomes.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            producer.close(closeTimeout);
        } catch (RuntimeException e) {
            log.warn("kafka sink {}: closing the producer failed: {}", topic, e.toString());
        }
        Map<OriginCpu, Long> lost = new HashMap<>();
        for (Confirmation c : unconfirmed) {
            if (c.settle()) lost.merge(new OriginCpu(c.origin, c.cpu), 1L, Long::sum);
        }
        unconfirmed.clear();
        long total = 0;
        for (Map.Entry<OriginCpu, Long> e : lost.entrySet()) {
            outcomes.failed(e.getKey().origin(), e.getKey().cpu(), e.getValue());
            total += e.getValue();
        }
        if (total > 0) log.warn("kafka sink {}: {} records were not acknowledged within close-timeout {}; counted as lost", topic, total, closeTimeout);
    }

    @Override
    public boolean confirmsAsynchronously() {
        return true;
    }

    @Override
    public String describe() {
        return description;
    }

    /** Records sent and not yet acknowledged or failed. */
    public int unconfirmedRecords() {
        return unconfirmed.size();
    }

    private OriginKeys keysOf(RecordOrigin origin) {
        OriginKeys k = keys.get(origin);
        if (k == null) {
            if (keys.size() >= MAX_CACHED_ORIGINS) keys.clear();
            k = new OriginKeys(origin);
            keys.put(origin, k);
        }
        return k;
    }

    private record OriginCpu(RecordOrigin origin, int cpu) {
    }

    /** The key prefix and the headers of one connection, encoded once; the per-CPU parts cached by CPU. */
    private static final class OriginKeys {
        private final String keyPrefix;
        private final Header node;
        private final Header bootId;
        private byte[][] keyByCpu = new byte[0][];
        private Header[] cpuHeaderByCpu = new Header[0];

        OriginKeys(RecordOrigin origin) {
            this.keyPrefix = nullToEmpty(origin.node()) + "/" + nullToEmpty(origin.bootId()) + "/";
            this.node = origin.node() == null ? null : new RecordHeader("node", origin.node().getBytes(StandardCharsets.UTF_8));
            this.bootId = origin.bootId() == null ? null : new RecordHeader("boot_id", origin.bootId().getBytes(StandardCharsets.UTF_8));
        }

        byte[] key(int cpu) {
            ensure(cpu);
            byte[] k = keyByCpu[cpu];
            if (k == null) {
                k = (keyPrefix + cpu).getBytes(StandardCharsets.UTF_8);
                keyByCpu[cpu] = k;
            }
            return k;
        }

        Header[] headers(int cpu, byte[] seq) {
            ensure(cpu);
            Header c = cpuHeaderByCpu[cpu];
            if (c == null) {
                c = new RecordHeader("cpu", Integer.toString(cpu).getBytes(StandardCharsets.US_ASCII));
                cpuHeaderByCpu[cpu] = c;
            }
            Header s = new RecordHeader("seq", seq);
            if (node != null && bootId != null) return new Header[]{s, node, bootId, c};
            if (node != null) return new Header[]{s, node, c};
            if (bootId != null) return new Header[]{s, bootId, c};
            return new Header[]{s, c};
        }

        private void ensure(int cpu) {
            if (cpu < keyByCpu.length) return;
            int n = Math.max(cpu + 1, keyByCpu.length * 2);
            keyByCpu = Arrays.copyOf(keyByCpu, n);
            cpuHeaderByCpu = Arrays.copyOf(cpuHeaderByCpu, n);
        }

        private static String nullToEmpty(String s) {
            return s == null ? "" : s;
        }
    }

    /** One sent record's outcome: reported once, by the producer's callback or, if it never comes, by {@link #close}. */
    private final class Confirmation extends AtomicBoolean implements Callback {
        private final RecordOrigin origin;
        private final int cpu;

        Confirmation(RecordOrigin origin, int cpu) {
            this.origin = origin;
            this.cpu = cpu;
        }

        /** True for the one caller that settles this record's outcome. */
        boolean settle() {
            return compareAndSet(false, true);
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (!settle()) return;
            unconfirmed.remove(this);
            if (exception == null) {
                outcomes.written(1);
            } else {
                outcomes.failed(origin, cpu, 1);
                failures.record(exception);
            }
        }
    }

    private final FailureLog failures = new FailureLog();

    /** Logs the producer's failures at most once per 10 seconds, with how many there were in between. */
    private final class FailureLog {
        private long lastLogNanos = System.nanoTime() - 20_000_000_000L;
        private long suppressed;

        synchronized void record(Exception e) {
            long now = System.nanoTime();
            if (now - lastLogNanos < 10_000_000_000L) {
                suppressed++;
                return;
            }
            log.warn("kafka sink {}: a record failed ({} more since the last message): {}", topic, suppressed, e.toString());
            lastLogNanos = now;
            suppressed = 0;
        }
    }
}
