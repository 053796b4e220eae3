package io.tsfleet.listener.testing;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordScope;
import io.tsfleet.listener.sink.RecordSink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** A sink that remembers (cpu, seq, pid, comm, node, boot id, exit time, scope) of every record; it can be made to block (a slow sink). */
public final class CollectingSink implements RecordSink {
    public record Rec(int cpu, long seq, long pid, String comm, boolean group, String node, String bootId, long timeEpochNanos,
                      RecordScope scope) {
    }

    private final List<Rec> records = new ArrayList<>();
    private volatile CountDownLatch gate;
    private volatile boolean closed;
    private volatile int flushes;

    @Override
    public void write(ExitRecordView r) {
        CountDownLatch g = gate;
        if (g != null) {
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (records) {
            records.add(new Rec(r.cpu(), r.seq(), r.pid(), r.comm(), r.hasTgidAggregate(), r.origin().node(), r.origin().bootId(),
                    r.timeEpochNanos(), r.scope()));
        }
    }

    /** Blocks every write until {@link #open()}. */
    public void block() {
        gate = new CountDownLatch(1);
    }

    public void open() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) g.countDown();
    }

    public List<Rec> records() {
        synchronized (records) {
            return new ArrayList<>(records);
        }
    }

    public int size() {
        synchronized (records) {
            return records.size();
        }
    }

    @Override
    public void flush() {
        flushes++;
    }

    public int flushes() {
        return flushes;
    }

    @Override
    public void close() {
        closed = true;
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public String describe() {
        return "collecting";
    }
}
