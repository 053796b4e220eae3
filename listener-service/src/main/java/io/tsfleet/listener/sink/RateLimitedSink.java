package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Caps the record rate into any sink ({@code tsfleet.listener.sink-options.max-records-per-second}): for a
 * downstream that must not see more than that (a shared disk, a remote store with a quota), and to reproduce a slow
 * sink on purpose. The writer thread is paced, so the excess backs up into the bounded queue in front of the sink and
 * from there into broker overflow, where it is counted as ENOBUFS and sequence gaps; nothing is dropped here.
 */
final class RateLimitedSink implements RecordSink {
    /** Sleep only when this far ahead of the allowed pace, so that pacing costs no syscall per record. */
    private static final long SLACK_NANOS = 2_000_000;

    private final RecordSink delegate;
    private final long nanosPerRecord;
    private final LongSupplier nanoTime;
    private final LongConsumer pause;
    private long nextAllowed;

    RateLimitedSink(RecordSink delegate, long recordsPerSecond) {
        this(delegate, recordsPerSecond, System::nanoTime, LockSupport::parkNanos);
    }

    RateLimitedSink(RecordSink delegate, long recordsPerSecond, LongSupplier nanoTime, LongConsumer pause) {
        if (recordsPerSecond < 1) throw new IllegalArgumentException("max-records-per-second must be at least 1");
        this.delegate = delegate;
        this.nanosPerRecord = 1_000_000_000L / recordsPerSecond;
        this.nanoTime = nanoTime;
        this.pause = pause;
        this.nextAllowed = nanoTime.getAsLong();
    }

    @Override
    public void write(ExitRecordView record) throws IOException {
        long now = nanoTime.getAsLong();
        // never bank more than the slack: an idle sink may not burst above the cap afterwards
        nextAllowed = Math.max(nextAllowed, now - SLACK_NANOS) + nanosPerRecord;
        long ahead = nextAllowed - now;
        if (ahead > SLACK_NANOS) pause.accept(ahead);
        delegate.write(record);
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    /** As the sink it paces: a capped Kafka sink still confirms its records when Kafka acknowledges them. */
    @Override
    public boolean confirmsAsynchronously() {
        return delegate.confirmsAsynchronously();
    }

    @Override
    public String describe() {
        return delegate.describe() + " (at most " + (1_000_000_000L / nanosPerRecord) + " records/s)";
    }
}
