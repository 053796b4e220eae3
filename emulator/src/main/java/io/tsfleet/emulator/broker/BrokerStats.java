package io.tsfleet.emulator.broker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the TCP server, read by the metrics adapter. */
public final class BrokerStats {
    final AtomicInteger open = new AtomicInteger();
    final LongAdder accepted = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder slowloris = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder requests = new LongAdder();

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    public long accepted() {
        return accepted.sum();
    }

    /** Connections refused because the backend could not open a socket or the limit was reached. */
    public long rejected() {
        return rejected.sum();
    }

    /** Connections closed because of a malformed frame. */
    public long malformedFrames() {
        return malformed.sum();
    }

    /** Connections closed because they sat on a partial frame too long. */
    public long slowlorisClosed() {
        return slowloris.sum();
    }

    public long bytesRead() {
        return bytesRead.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** Socket writes to clients (write calls, including partial ones): {@link #bytesWritten()} over this is the batching. */
    public long writes() {
        return writes.sum();
    }

    /** Netlink messages handed to backends. */
    public long requests() {
        return requests.sum();
    }
}
