package io.tsfleet.listener.sink.otlp;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.sink.RecordSink;
import io.tsfleet.listener.sink.SinkOutcomes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Exit records as OTLP log records ({@code tsfleet.listener.sink=otlp}, {@code otlp:grpc}, {@code otlp:http/protobuf}),
 * exported with the OpenTelemetry SDK's OTLP log exporter, one log record per exit ({@link ExitLogRecordMapper}).
 *
 * <p>The sink batches itself rather than through the SDK's {@code BatchLogRecordProcessor}, which drops records from a
 * full queue and does not tell which export succeeded: here every record {@link #write} accepted is reported exactly once
 * to {@link SinkOutcomes}, as written when its export succeeded, as failed (with its node and CPU) when the export
 * failed after the exporter's retries, or when {@link #close} gave up waiting for it. A record is always in exactly one
 * place: the queue, the batch the export thread is filling, or one export; each export is settled once
 * ({@link Export#settled}), by its result or by the close.
 *
 * <p>{@link #write} maps the record and queues it; a full queue makes it wait (backpressure: the pipeline's
 * {@code when-slow} policy decides what happens then), never drop. One export thread takes batches of at most
 * {@code max-batch-size} records, at the latest {@code schedule-delay} after the first one, and hands them to the
 * exporter, at most {@code max-concurrent-exports} at a time. {@link #close} exports what is queued and waits at most
 * {@code close-timeout} for the outstanding exports; what is unconfirmed then is reported as failed.
 */
public final class OtlpSink implements RecordSink {
    private static final Logger log = LoggerFactory.getLogger(OtlpSink.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final LogRecordExporter exporter;
    private final ExitLogRecordMapper mapper;
    private final OtlpBatching batching;
    private final SinkOutcomes outcomes;
    private final String description;
    private final BlockingQueue<ExitLogRecord> queue;
    private final Semaphore exportSlots;
    private final Set<Export> outstanding = ConcurrentHashMap.newKeySet();
    private final Object settledSignal = new Object();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLong lastErrorLogNanos = new AtomicLong(System.nanoTime() - ERROR_LOG_INTERVAL_NANOS);
    private final Thread exportThread;
    /** No more writes: the export thread sends what is queued at once and stops when the queue is empty. */
    private volatile boolean closing;
    /** The close stopped waiting: the export thread fails what it holds and what is queued, and stops. */
    private volatile boolean givingUp;
    private boolean closed;

    OtlpSink(LogRecordExporter exporter, ExitLogRecordMapper mapper, OtlpBatching batching, int maxConcurrentExports,
             SinkOutcomes outcomes, String description) {
        this.exporter = exporter;
        this.mapper = mapper;
        this.batching = batching;
        this.outcomes = Objects.requireNonNull(outcomes);
        this.description = description;
        this.queue = new ArrayBlockingQueue<>(batching.maxQueueSize());
        this.exportSlots = new Semaphore(maxConcurrentExports);
        this.exportThread = Thread.ofPlatform().name("otlp-sink-export").daemon().start(this::exportLoop);
    }

    /** Queues the record for export; waits while the queue is full. */
    @Override
    public void write(ExitRecordView record) throws IOException {
        if (closing) throw new IllegalStateException("sink " + description + " is closed");
        ExitLogRecord r = mapper.map(record);
        try {
            while (!queue.offer(r, POLL_NANOS, TimeUnit.NANOSECONDS)) {
                if (!exportThread.isAlive()) throw new IOException("the export thread of sink " + description + " stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the OTLP export queue was full");
        }
        accepted.increment();
    }

    /** Nothing to do: a batch leaves at the latest {@code schedule-delay} after its first record. */
    @Override
    public void flush() {
    }

    /**
     * Exports what is queued, waits at most {@code close-timeout} for every outstanding export, reports what is still
     * unconfirmed as failed, and shuts the exporter down.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closing = true;
        long deadline = System.nanoTime() + batching.closeTimeout().toNanos();
        boolean interrupted = false;
        try {
            exportThread.join(java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            synchronized (settledSignal) {
                while (!outstanding.isEmpty()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    TimeUnit.NANOSECONDS.timedWait(settledSignal, Math.min(left, POLL_NANOS));
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        givingUp = true;
        try {
            if (!exportThread.join(java.time.Duration.ofSeconds(5))) log.warn("the export thread of sink {} did not stop", description);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        long unconfirmed = 0;
        for (Export e : List.copyOf(outstanding)) {
            if (settle(e, false, null)) unconfirmed += e.records.size();
        }
        if (unconfirmed > 0) {
            log.warn("sink {}: {} records still unconfirmed after close-timeout {} are counted as failed", description, unconfirmed,
                    batching.closeTimeout());
        }
        exporter.shutdown().join(1, TimeUnit.SECONDS);
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public boolean confirmsAsynchronously() {
        return true;
    }

    /** Records {@link #write} accepted. */
    public long accepted() {
        return accepted.sum();
    }

    /** Records reported as written (their export succeeded). */
    public long written() {
        return written.sum();
    }

    /** Records reported as failed. */
    public long failed() {
        return failed.sum();
    }

    private void exportLoop() {
        List<ExitLogRecord> batch = new ArrayList<>();
        try {
            while (!givingUp) {
                ExitLogRecord first = queue.poll(POLL_NANOS, TimeUnit.NANOSECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) break;
                    continue;
                }
                batch.add(first);
                fill(batch);
                if (!awaitExportSlot()) break;
                List<ExitLogRecord> toSend = batch;
                batch = new ArrayList<>();
                submit(toSend);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("the export thread of sink {} failed; what it holds and what is queued is counted as failed", description, e);
        } finally {
            // the close gave up (or the thread failed): what was never handed to the exporter will not be exported
            fail(batch, null);
            batch.clear();
            List<ExitLogRecord> rest = new ArrayList<>();
            queue.drainTo(rest);
            fail(rest, null);
        }
    }

    /** Adds records until the batch is full or {@code schedule-delay} after its first record (at once when closing). */
    private void fill(List<ExitLogRecord> batch) throws InterruptedException {
        long deadline = System.nanoTime() + batching.scheduleDelay().toNanos();
        while (batch.size() < batching.maxBatchSize()) {
            queue.drainTo(batch, batching.maxBatchSize() - batch.size());
            if (batch.size() >= batching.maxBatchSize() || closing || givingUp) return;
            long wait = deadline - System.nanoTime();
            if (wait <= 0) return;
            ExitLogRecord r = queue.poll(Math.min(wait, POLL_NANOS), TimeUnit.NANOSECONDS);
            if (r != null) batch.add(r);
        }
    }

    private boolean awaitExportSlot() throws InterruptedException {
        while (!exportSlots.tryAcquire(POLL_NANOS, TimeUnit.NANOSECONDS)) {
            if (givingUp) return false;
        }
        return true;
    }

    private void submit(List<ExitLogRecord> records) {
        Export export = new Export(records);
        outstanding.add(export);
        CompletableResultCode result;
        try {
            result = exporter.export(Collections.<LogRecordData>unmodifiableList(records));
        } catch (RuntimeException e) {
            settle(export, false, e);
            exportSlots.release();
            return;
        }
        result.whenComplete(() -> {
            settle(export, result.isSuccess(), result.getFailureThrowable());
            exportSlots.release();
        });
    }

    /** Reports the export's records once, as written or failed; false when it was settled before. */
    private boolean settle(Export export, boolean success, Throwable cause) {
        if (!export.settled.compareAndSet(false, true)) return false;
        if (success) {
            written.add(export.records.size());
            outcomes.written(export.records.size());
        } else {
            fail(export.records, cause);
        }
        outstanding.remove(export);
        synchronized (settledSignal) {
            settledSignal.notifyAll();
        }
        return true;
    }

    /** Reports records as failed, per run of records of one (origin, CPU). */
    private void fail(List<ExitLogRecord> records, Throwable cause) {
        int n = records.size();
        if (n == 0) return;
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || records.get(i).cpu() != records.get(start).cpu()
                    || !Objects.equals(records.get(i).origin(), records.get(start).origin())) {
                ExitLogRecord head = records.get(start);
                outcomes.failed(head.origin(), head.cpu(), i - start);
                start = i;
            }
        }
        failed.add(n);
        long now = System.nanoTime();
        long last = lastErrorLogNanos.get();
        if (now - last >= ERROR_LOG_INTERVAL_NANOS && lastErrorLogNanos.compareAndSet(last, now)) {
            log.error("sink {}: {} records not exported (counted as failed at the sink; further failures for 10 s are only counted){}",
                    description, n, cause == null ? "" : ": " + cause);
        }
    }

    /** One call to the exporter and its records; settled once, by its result or by the close. */
    private static final class Export {
        final List<ExitLogRecord> records;
        final AtomicBoolean settled = new AtomicBoolean();

        Export(List<ExitLogRecord> records) {
            this.records = records;
        }
    }
}
