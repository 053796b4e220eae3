package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.HeldRecord;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.listener.sink.RecordSink;
import io.tsfleet.listener.sink.RecordsLostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The bounded hand-off between the per-CPU readers and one sink (several sinks: one pipeline each, behind the
 * {@link SinkFanOut} the readers use). Readers take a batch from a fixed pool, fill it
 * with the frames they keep and publish it; one writer thread writes the records to the sink, flushes the sink
 * whenever the queue runs empty, and returns the batch to the pool. When the sink is slow the pool runs dry and
 * {@link #acquire} blocks the readers: they stop reading the broker, its receive queues fill, and the broker's
 * overflow (ENOBUFS, sequence gaps) counts the loss. Memory is bounded by {@code batches * batchBytes} plus the
 * handover holdbacks (bounded separately).
 *
 * <p>Every record handed to the pipeline is written or counted: a record the sink fails to write (or loses from its
 * buffer, {@link RecordsLostException}) and every record still queued when {@link #close} gives up waiting for the
 * sink is counted in {@link #sinkErrors} (records lost at the sink) and reported per CPU to the
 * {@link SinkLossListener} (the engine, which reports it as loss). A sink that {@linkplain RecordSink#confirmsAsynchronously()
 * confirms its writes later} reports written and failed records itself, from its own threads, to this pipeline's
 * {@link SinkCounters} (passed to it as its {@code SinkOutcomes}): for it, {@code write} returning is not written.
 *
 * <p>The {@link SinkPolicy} says what else the pipeline does: {@code processes-only} leaves out (counts as filtered)
 * records that are not a whole process's, on the writer thread; {@code when-slow=drop} is carried out by the fan-out,
 * which asks {@link #tryAcquire} instead of waiting, and counts what it cannot queue with {@link #dropped}.
 */
public final class SinkPipeline {
    private static final Logger log = LoggerFactory.getLogger(SinkPipeline.class);
    private static final SinkBatch STOP = new SinkBatch(0, false);

    private final String name;
    private final RecordSink sink;
    private final SinkPolicy policy;
    private final SinkCounters counters;
    private final SinkLatency latency = new SinkLatency();
    private final boolean confirmsLater;
    private final RecordObserver observer;
    private final LongSupplier nanoTime;
    private final BlockingQueue<SinkBatch> pool;
    private final BlockingQueue<SinkBatch> queue = new LinkedBlockingQueue<>();
    private final ExitRecordView view = new ExitRecordView();
    private final LongAdder busyNanos = new LongAdder();
    private final LongAdder backpressureNanos = new LongAdder();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final int batchBytes;
    private Thread writer;
    private volatile boolean closed;
    /** The close gave up waiting: the writer stops after the record at hand and counts the rest of its batch. */
    private volatile boolean abandoned;
    private volatile long lastErrorLogNanos;

    /** One sink of its own (named {@code sink}), every record, with backpressure: as before there were several. */
    public SinkPipeline(RecordSink sink, int batches, int batchBytes, RecordObserver observer, LongSupplier nanoTime) {
        this("sink", sink, SinkPolicy.DEFAULT, new SinkCounters(), batches, batchBytes, observer, nanoTime);
    }

    /**
     * @param name     the sink's name (its scheme): the {@code sink} tag of its metrics, the writer thread's name
     * @param counters where the sink's outcomes are counted; a sink that confirms later was given them as its outcomes
     * @param observer sees every record written or filtered here (null: none)
     */
    public SinkPipeline(String name, RecordSink sink, SinkPolicy policy, SinkCounters counters, int batches, int batchBytes,
                        RecordObserver observer, LongSupplier nanoTime) {
        if (batches < 1) throw new IllegalArgumentException("batches < 1");
        if (batchBytes < 2048) throw new IllegalArgumentException("batchBytes < 2048 (a 1172-byte event must fit)");
        this.name = name;
        this.sink = sink;
        this.policy = policy;
        this.counters = counters;
        this.confirmsLater = sink.confirmsAsynchronously();
        this.observer = observer == null ? RecordObserver.NONE : observer;
        this.nanoTime = nanoTime;
        this.batchBytes = batchBytes;
        this.pool = new ArrayBlockingQueue<>(batches);
        for (int i = 0; i < batches; i++) {
            SinkBatch b = new SinkBatch(batchBytes, true);
            b.home = this;
            pool.add(b);
        }
    }

    public synchronized void start() {
        if (writer != null) return;
        writer = Thread.ofPlatform().name("sink-writer-" + name).start(this::writeLoop);
    }

    /** Who counts the records the sink did not write (the engine: per CPU, and in its reported loss). */
    public void lossListener(SinkLossListener listener) {
        counters.lossListener(listener);
    }

    /** The sink's name: its scheme ({@code jsonl}, {@code kafka}, ...). */
    public String name() {
        return name;
    }

    public SinkPolicy policy() {
        return policy;
    }

    public SinkCounters counters() {
        return counters;
    }

    public SinkLatency latency() {
        return latency;
    }

    /** A free batch at once, or null when the sink is behind (for {@code when-slow=drop}: no waiting). */
    SinkBatch tryAcquire(int cpu, RecordOrigin origin) {
        SinkBatch b = pool.poll();
        if (b != null) b.reset(cpu, origin);
        return b;
    }

    /** {@code records} records of {@code cpu} were not queued for this sink: it was slow and drops then (counted, loss). */
    void dropped(RecordOrigin origin, int cpu, long records) {
        counters.dropped(origin, cpu, records);
    }

    /** A free batch for {@code cpu}, records of unknown origin; blocks while the sink is behind (backpressure). */
    SinkBatch acquire(int cpu) throws InterruptedException {
        return acquire(cpu, RecordOrigin.UNKNOWN, null);
    }

    /**
     * A free batch for records of {@code cpu} from a connection of this {@code origin}; blocks while the sink is behind
     * (backpressure), unless {@code giveUp} (null: never)
     * says so, checked at once and then every few milliseconds: then null. Only a reader that may give up polls: with
     * thousands of CPU readers waiting for a batch, polling all of them would cost more than the records (a 4096-CPU
     * replica spent 1.5 cores on it at 50 k records/s).
     */
    SinkBatch acquire(int cpu, RecordOrigin origin, BooleanSupplier giveUp) throws InterruptedException {
        SinkBatch b = pool.poll();
        if (b == null) {
            if (giveUp != null && giveUp.getAsBoolean()) return null;
            long t0 = nanoTime.getAsLong();
            try {
                if (giveUp == null) {
                    b = pool.take();
                } else {
                    while ((b = pool.poll(10, TimeUnit.MILLISECONDS)) == null) {
                        if (giveUp.getAsBoolean()) return null;
                    }
                }
            } finally {
                backpressureNanos.add(nanoTime.getAsLong() - t0);
            }
        }
        b.reset(cpu, origin);
        return b;
    }

    /** Hands a filled batch to the writer (an empty one goes back to the pool). */
    void publish(SinkBatch b) {
        if (b.count == 0) {
            if (b.pooled) pool.add(b);
            return;
        }
        b.enqueuedNanos = nanoTime.getAsLong();
        queuedBytes.addAndGet(b.used);
        queue.add(b);
    }

    /** Hands records released from a holdback (of a connection of this {@code origin}) to the writer. */
    void publishHeld(int cpu, RecordOrigin origin, List<HeldRecord> held) {
        if (held.isEmpty()) return;
        publish(SinkBatch.of(cpu, origin, held));
    }

    public int batchBytes() {
        return batchBytes;
    }

    /**
     * Stops after everything queued has been written, flushes and closes the sink. When the writer has not finished
     * within {@code timeout}, it is interrupted, and every record still queued is counted as lost at the sink.
     */
    public void close(Duration timeout) throws InterruptedException {
        Thread w;
        synchronized (this) {
            if (closed) return;
            closed = true;
            w = writer;
        }
        if (w == null) {
            closeSink();
            return;
        }
        queue.add(STOP);
        if (!w.join(timeout)) {
            log.warn("sink writer did not finish within {}; {} bytes still queued are counted as lost", timeout, queuedBytes.get());
            abandoned = true;
            w.interrupt();
            abandonQueued();
            queue.add(STOP); // taken above: the writer stops at it even if the sink swallowed the interrupt
            if (!w.join(Duration.ofSeconds(5))) log.warn("sink writer still busy in the sink after the interrupt");
        }
    }

    /** Records written: {@code write} returned, or (a sink that confirms later) the destination acknowledged them. */
    public long recordsWritten() {
        return counters.written();
    }

    /** Records the sink failed to write or lost, and records given up at close (lost at the sink; counted). */
    public long sinkErrors() {
        return counters.errors();
    }

    /** Records not queued because the sink was slow and its policy is {@code drop} (lost at this sink; counted). */
    public long recordsDropped() {
        return counters.dropped();
    }

    /** Records left out by {@code processes-only} (not loss). */
    public long recordsFiltered() {
        return counters.filtered();
    }

    /** Time the writer spent writing (for the capacity estimate). */
    public long busyNanos() {
        return busyNanos.sum();
    }

    /** Time readers spent waiting for a free batch: the sink held them back. */
    public long backpressureNanos() {
        return backpressureNanos.sum();
    }

    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** Age of the oldest batch waiting for the writer, in seconds (0 when the queue is empty). */
    public double lagSeconds() {
        SinkBatch head = queue.peek();
        if (head == null || head == STOP) return 0;
        return Math.max(0, nanoTime.getAsLong() - head.enqueuedNanos) / 1e9;
    }

    public String describeSink() {
        return sink.describe();
    }

    private void writeLoop() {
        try {
            while (true) {
                SinkBatch b = queue.take();
                if (b == STOP) break;
                long t0 = nanoTime.getAsLong();
                writeBatch(b);
                if (queue.isEmpty()) flushSink();
                busyNanos.add(nanoTime.getAsLong() - t0);
            }
        } catch (InterruptedException e) {
            abandonQueued();
        } finally {
            // an interrupted FileChannel would refuse the sink's last flush: let it write what it has buffered
            boolean interrupted = Thread.interrupted();
            closeSink();
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Counts every record still queued as lost at the sink (each batch is taken by one thread only). */
    private void abandonQueued() {
        SinkBatch b;
        while ((b = queue.poll()) != null) {
            if (b == STOP) continue;
            unwritten(b.origin, b.cpu, b.count);
            queuedBytes.addAndGet(-b.used);
        }
    }

    void unwritten(RecordOrigin origin, int cpu, long records) {
        counters.failed(origin, cpu, records);
    }

    private void unwritten(RecordsLostException e) {
        int[] cpus = e.cpus();
        RecordOrigin[] origins = e.origins();
        for (int i = 0; i < cpus.length; i++) unwritten(origins[i], cpus[i], 1);
    }

    private void writeBatch(SinkBatch b) {
        int ok = 0;
        int filtered = 0;
        for (int i = 0; i < b.count; i++) {
            if (abandoned) {
                unwritten(b.origin, b.cpu, b.count - i);
                break;
            }
            b.restore(view, i); // parsed by the reader: only kept, decodable records are in a batch
            observer.observe(view);
            if (policy.processesOnly() && !view.scope().wholeProcess()) {
                filtered++;
                continue;
            }
            try {
                sink.write(view);
                ok++;
            } catch (RecordsLostException e) {
                unwritten(e);
                logError("sink " + sink.describe() + " lost " + e.count() + " records", e);
            } catch (IOException | RuntimeException e) {
                unwritten(b.origin, b.cpu, 1);
                logError("sink " + sink.describe() + " failed to write a record", e);
            }
        }
        if (!confirmsLater) counters.written(ok);
        counters.filtered(filtered);
        latency.record(nanoTime.getAsLong() - b.enqueuedNanos, ok);
        queuedBytes.addAndGet(-b.used);
        if (b.pooled) pool.add(b);
    }

    private void flushSink() {
        try {
            sink.flush();
        } catch (RecordsLostException e) {
            unwritten(e);
            logError("sink " + sink.describe() + " lost " + e.count() + " records at a flush", e);
        } catch (IOException | RuntimeException e) {
            logError("sink " + sink.describe() + " failed to flush (it keeps what it could not write)", e);
        }
    }

    private void closeSink() {
        try {
            sink.flush();
        } catch (RecordsLostException e) {
            unwritten(e);
        } catch (IOException | RuntimeException e) {
            log.warn("flushing sink {} before closing it failed: {}", sink.describe(), e.toString());
        }
        try {
            sink.close();
        } catch (RecordsLostException e) {
            unwritten(e);
            log.error("closing sink {} lost {} records (counted)", sink.describe(), e.count(), e);
        } catch (IOException | RuntimeException e) {
            log.error("closing sink {} failed", sink.describe(), e);
        }
    }

    private void logError(String what, Exception e) {
        long now = nanoTime.getAsLong();
        if (now - lastErrorLogNanos > TimeUnit.SECONDS.toNanos(10) || lastErrorLogNanos == 0) {
            lastErrorLogNanos = now;
            log.error("{} (counted in tsfleet_listener_sink_errors_total; further errors for 10 s are only counted)", what, e);
        }
    }
}
