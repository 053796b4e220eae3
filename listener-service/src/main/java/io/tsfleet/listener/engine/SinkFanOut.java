package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.HeldRecord;
import io.tsfleet.listener.record.RecordOrigin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * What the readers hand their records to: one {@link SinkPipeline} per configured sink (its own bounded queue, writer
 * thread and counters), and the fan-out between them.
 *
 * <p>A reader fills a batch of the <em>lead</em> sink (the first sink whose policy is {@code block}) directly, as it
 * did when there was only one sink: with one sink nothing else happens (no copy, no extra cost on the hot path). With
 * several, {@link #publish} copies the filled batch (one bulk copy) into a batch of every other sink before the lead
 * gets it: a {@code block} sink makes the reader wait for a free batch (backpressure, as with one sink; the wait is
 * that sink's backpressure time); a {@code drop} sink that has no free batch counts the batch's records as dropped
 * for that sink, per (node, CPU), and the other sinks are not affected. When no sink blocks (only {@code drop} sinks),
 * the reader fills a scratch batch of the fan-out instead, and every sink gets a copy or drops it. Records released
 * from a handover holdback are not pooled: every sink gets them.
 *
 * <p>A reader that shuts down may give up waiting for a {@code block} sink: the records that sink then does not get are
 * counted as its errors (lost at that sink), per CPU. With a single sink the reader counts them itself, as before.
 */
public final class SinkFanOut {
    private final List<SinkPipeline> pipelines;
    private final SinkPipeline[] sinks;
    /** The first block sink, whose batches the readers fill; null when every sink drops. */
    private final SinkPipeline lead;
    private final int batchBytes;
    private final ConcurrentLinkedQueue<SinkBatch> scratch = new ConcurrentLinkedQueue<>();

    public SinkFanOut(List<SinkPipeline> pipelines) {
        if (pipelines.isEmpty()) throw new IllegalArgumentException("no sink");
        this.pipelines = List.copyOf(pipelines);
        this.sinks = this.pipelines.toArray(SinkPipeline[]::new);
        this.batchBytes = sinks[0].batchBytes();
        SinkPipeline first = null;
        for (SinkPipeline p : sinks) {
            if (p.batchBytes() != batchBytes) throw new IllegalArgumentException("every sink's batch must be " + batchBytes + " bytes");
            if (first == null && p.policy().whenSlow() == SinkPolicy.WhenSlow.BLOCK) first = p;
        }
        this.lead = first;
    }

    /** One sink, as the replica had before there were several. */
    public static SinkFanOut of(SinkPipeline pipeline) {
        return new SinkFanOut(List.of(pipeline));
    }

    public void start() {
        for (SinkPipeline p : sinks) p.start();
    }

    /** Who counts the records a sink did not write or dropped (the engine: per CPU, and in its reported loss). */
    public void lossListener(SinkLossListener listener) {
        for (SinkPipeline p : sinks) p.lossListener(listener);
    }

    /**
     * A batch to fill with records of {@code cpu} from a connection of {@code origin}, read from the broker at
     * {@code epochNanos}. Blocks while the lead sink is behind (backpressure), unless {@code giveUp} (null: never) says
     * so: then null with one sink (the reader counts the record), a scratch batch with several (the lead's share is
     * counted at {@link #publish}).
     */
    SinkBatch acquire(int cpu, RecordOrigin origin, long epochNanos, BooleanSupplier giveUp) throws InterruptedException {
        SinkBatch b = null;
        if (lead != null) {
            b = lead.acquire(cpu, origin, giveUp);
            if (b == null && sinks.length == 1) return null;
        }
        if (b == null) {
            b = scratch.poll();
            if (b == null) b = new SinkBatch(batchBytes, false);
            b.reset(cpu, origin);
        }
        b.epochNanos = epochNanos;
        b.giveUp = giveUp;
        return b;
    }

    /** Hands a filled batch to every sink (an empty one goes back where it came from). */
    void publish(SinkBatch b) {
        SinkPipeline home = b.home;
        if (b.count > 0) {
            for (SinkPipeline s : sinks) {
                if (s != home) deliverCopy(s, b);
            }
        }
        if (home != null) home.publish(b);
        else scratch.add(b);
    }

    private static void deliverCopy(SinkPipeline s, SinkBatch src) {
        SinkBatch copy;
        if (s.policy().whenSlow() == SinkPolicy.WhenSlow.DROP) {
            copy = s.tryAcquire(src.cpu, src.origin);
            if (copy == null) {
                s.dropped(src.origin, src.cpu, src.count);
                return;
            }
        } else {
            try {
                copy = s.acquire(src.cpu, src.origin, src.giveUp);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                copy = null;
            }
            if (copy == null) { // a reader shutting down gave up waiting for this sink: lost at it, counted
                s.unwritten(src.origin, src.cpu, src.count);
                return;
            }
        }
        copy.copyFrom(src);
        s.publish(copy);
    }

    /** Hands records released from a holdback (of a connection of this {@code origin}) to every sink. */
    void publishHeld(int cpu, RecordOrigin origin, List<HeldRecord> held) {
        if (held.isEmpty()) return;
        for (SinkPipeline s : sinks) s.publishHeld(cpu, origin, held);
    }

    /**
     * Closes every sink, at the same time: each writes what is queued for it, flushes and closes; what a sink has not
     * written within {@code timeout} is counted as lost at that sink.
     */
    public void close(Duration timeout) throws InterruptedException {
        if (sinks.length == 1) {
            sinks[0].close(timeout);
            return;
        }
        List<Thread> closers = new ArrayList<>();
        for (SinkPipeline s : sinks) {
            closers.add(Thread.ofPlatform().name("sink-close-" + s.name()).start(() -> {
                try {
                    s.close(timeout);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : closers) t.join();
    }

    /** The sinks, in the configured order. */
    public List<SinkPipeline> pipelines() {
        return pipelines;
    }

    /** For logs and the API: every sink, comma-separated. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (SinkPipeline s : sinks) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(s.describeSink());
            if (s.policy().whenSlow() != SinkPolicy.WhenSlow.BLOCK) sb.append(" (when slow: ").append(s.policy().whenSlow().optionValue()).append(')');
            if (s.policy().processesOnly()) sb.append(" (processes only)");
        }
        return sb.toString();
    }

    // ---- for the capacity estimate: the sink stage as the slowest block sink sees it ----

    /** Records the lead sink wrote (the first sink when every sink drops). */
    public long recordsWritten() {
        return (lead != null ? lead : sinks[0]).recordsWritten();
    }

    /** The writer time of the busiest block sink (the one that holds the readers back first). */
    public long busyNanos() {
        long max = 0;
        for (SinkPipeline s : sinks) {
            if (s.policy().whenSlow() == SinkPolicy.WhenSlow.BLOCK || lead == null) max = Math.max(max, s.busyNanos());
        }
        return max;
    }

    /** Time readers waited for any sink. */
    public long backpressureNanos() {
        long sum = 0;
        for (SinkPipeline s : sinks) sum += s.backpressureNanos();
        return sum;
    }

    /** Bytes queued for every sink together. */
    public long queuedBytes() {
        long sum = 0;
        for (SinkPipeline s : sinks) sum += s.queuedBytes();
        return sum;
    }

    public long sinkErrors() {
        long sum = 0;
        for (SinkPipeline s : sinks) sum += s.sinkErrors();
        return sum;
    }
}
