package io.tsfleet.emulator.broker;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the TCP server, read by the metrics adapter. */
public final class BrokerStats {
    final AtomicInteger open = new AtomicInteger();
    final LongAdder accepted = new LongAdder();
    final Map<RefusalReason, LongAdder> refused = new EnumMap<>(RefusalReason.class);
    final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);
    final LongAdder malformed = new LongAdder();
    final LongAdder slowloris = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder inputPauses = new LongAdder();

    BrokerStats() {
        for (RefusalReason r : RefusalReason.values()) refused.put(r, new LongAdder());
        for (CloseReason r : CloseReason.values()) closed.put(r, new LongAdder());
    }

    void countRefused(RefusalReason reason) {
        refused.get(reason).increment();
    }

    void countClosed(CloseReason reason) {
        closed.get(reason).increment();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    public long accepted() {
        return accepted.sum();
    }

    /** Connections refused right after accept, for any reason. */
    public long rejected() {
        long sum = 0;
        for (LongAdder a : refused.values()) sum += a.sum();
        return sum;
    }

    /** Connections refused right after accept for {@code reason}. */
    public long rejected(RefusalReason reason) {
        return refused.get(reason).sum();
    }

    /** Established connections the broker closed for {@code reason}. */
    public long closed(CloseReason reason) {
        return closed.get(reason).sum();
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

    /** Times the server stopped reading a connection's input because its session held too much output. */
    public long inputPauses() {
        return inputPauses.sum();
    }
}
