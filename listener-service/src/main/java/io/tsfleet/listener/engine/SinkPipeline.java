package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.HeldRecord;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.sink.RecordSink;
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
import java.util.function.LongSupplier;

/**
 * The bounded hand-off between the per-CPU readers and the sink. Readers take a batch from a fixed pool, fill it
 * with the frames they keep and publish it; one writer thread writes the records to the sink, flushes the sink
 * whenever the queue runs empty, and returns the batch to the pool. When the sink is slow the pool runs dry and
 * {@link #acquire} blocks the readers: they stop reading the broker, its receive queues fill, and the broker's
 * overflow (ENOBUFS, sequence gaps) counts the loss. Memory is bounded by {@code batches * batchBytes} plus the
 * handover holdbacks (bounded separately).
 */
public final class SinkPipeline {
    private static final Logger log = LoggerFactory.getLogger(SinkPipeline.class);
    private static final SinkBatch STOP = new SinkBatch(0, false);

    private final RecordSink sink;
    private final RecordObserver observer;
    private final LongSupplier nanoTime;
    private final BlockingQueue<SinkBatch> pool;
    private final BlockingQueue<SinkBatch> queue = new LinkedBlockingQueue<>();
    private final ExitRecordView view = new ExitRecordView();
    private final LongAdder written = new LongAdder();
    private final LongAdder sinkErrors = new LongAdder();
    private final LongAdder busyNanos = new LongAdder();
    private final LongAdder backpressureNanos = new LongAdder();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final int batchBytes;
    private Thread writer;
    private volatile boolean closed;
    private volatile long lastErrorLogNanos;

    public SinkPipeline(RecordSink sink, int batches, int batchBytes, RecordObserver observer, LongSupplier nanoTime) {
        if (batches < 1) throw new IllegalArgumentException("batches < 1");
        if (batchBytes < 2048) throw new IllegalArgumentException("batchBytes < 2048 (a 1172-byte event must fit)");
        this.sink = sink;
        this.observer = observer;
        this.nanoTime = nanoTime;
        this.batchBytes = batchBytes;
        this.pool = new ArrayBlockingQueue<>(batches);
        for (int i = 0; i < batches; i++) pool.add(new SinkBatch(batchBytes, true));
    }

    public synchronized void start() {
        if (writer != null) return;
        writer = Thread.ofPlatform().name("sink-writer").start(this::writeLoop);
    }

    /** A free batch for {@code cpu}; blocks while the sink is behind (backpressure). */
    SinkBatch acquire(int cpu) throws InterruptedException {
        SinkBatch b = pool.poll();
        if (b == null) {
            long t0 = nanoTime.getAsLong();
            b = pool.take();
            backpressureNanos.add(nanoTime.getAsLong() - t0);
        }
        b.reset(cpu);
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

    /** Hands records released from a holdback to the writer. */
    void publishHeld(int cpu, List<HeldRecord> held) {
        if (held.isEmpty()) return;
        publish(SinkBatch.of(cpu, held));
    }

    public int batchBytes() {
        return batchBytes;
    }

    /** Stops after everything queued has been written, flushes and closes the sink. */
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
            log.warn("sink writer did not finish within {}; {} bytes still queued", timeout, queuedBytes.get());
            w.interrupt();
        }
    }

    public long recordsWritten() {
        return written.sum();
    }

    /** Records the sink failed to write (lost at the sink; counted). */
    public long sinkErrors() {
        return sinkErrors.sum();
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
            Thread.currentThread().interrupt();
            SinkBatch b;
            while ((b = queue.poll()) != null) {
                if (b != STOP) {
                    sinkErrors.add(b.count);
                    queuedBytes.addAndGet(-b.used);
                }
            }
        } finally {
            closeSink();
        }
    }

    private void writeBatch(SinkBatch b) {
        int ok = 0;
        for (int i = 0; i < b.count; i++) {
            if (!view.wrap(b.buffer, b.offsets[i], b.cpu)) {
                sinkErrors.increment();
                continue;
            }
            observer.observe(view);
            try {
                sink.write(view);
                ok++;
            } catch (IOException | RuntimeException e) {
                sinkErrors.increment();
                logError("sink " + sink.describe() + " failed to write a record", e);
            }
        }
        written.add(ok);
        queuedBytes.addAndGet(-b.used);
        if (b.pooled) pool.add(b);
    }

    private void flushSink() {
        try {
            sink.flush();
        } catch (IOException | RuntimeException e) {
            logError("sink " + sink.describe() + " failed to flush", e);
        }
    }

    private void closeSink() {
        try {
            sink.flush();
            sink.close();
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
