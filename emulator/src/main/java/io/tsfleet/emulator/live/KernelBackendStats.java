package io.tsfleet.emulator.live;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the live-kernel backend counts, in plain Java (published as {@code tsfleet_broker_kernel_*} by
 * {@code live.config.KernelBackendMeters}; no per-CPU or per-connection detail). Drops inside the kernel are the
 * kernel's {@code sk_drops}; what the backend itself cannot deliver is counted here by reason.
 */
public final class KernelBackendStats {
    final AtomicInteger sockets = new AtomicInteger();
    final AtomicLong backlogBytes = new AtomicLong();
    final LongAdder backlogFull = new LongAdder();
    final LongAdder requestsForwarded = new LongAdder();
    final LongAdder requestsAnswered = new LongAdder();
    final LongAdder eventsForwarded = new LongAdder();
    final LongAdder messagesForwarded = new LongAdder();
    final LongAdder overruns = new LongAdder();
    final LongAdder truncatedDatagrams = new LongAdder();
    final LongAdder oversizedMessages = new LongAdder();
    final LongAdder refusedConnections = new LongAdder();
    final LongAdder droppedAnswers = new LongAdder();

    KernelBackendStats() {
    }

    /** Open AF_NETLINK sockets, one per broker connection. */
    public int sockets() {
        return sockets.get();
    }

    /** Bytes taken from the kernel sockets that the clients have not taken yet. */
    public long backlogBytes() {
        return backlogBytes.get();
    }

    /** Times a connection's backlog was full, so that reading its kernel socket waited for the client. */
    public long backlogFull() {
        return backlogFull.sum();
    }

    /** Client requests passed on to the kernel. */
    public long requestsForwarded() {
        return requestsForwarded.sum();
    }

    /** Client requests the backend answered itself instead of passing them on. */
    public long requestsAnswered() {
        return requestsAnswered.sum();
    }

    /** TASKSTATS exit events forwarded to clients. */
    public long eventsForwarded() {
        return eventsForwarded.sum();
    }

    /** Messages received from the kernel and forwarded to clients. */
    public long messagesForwarded() {
        return messagesForwarded.sum();
    }

    /** ENOBUFS from recv, forwarded in-band as NLMSG_ERROR -105. */
    public long overruns() {
        return overruns.sum();
    }

    /** Kernel datagrams that did not fit the receive buffer and were dropped. */
    public long truncatedDatagrams() {
        return truncatedDatagrams.sum();
    }

    /** Kernel messages larger than the server's drain buffer, dropped. */
    public long oversizedMessages() {
        return oversizedMessages.sum();
    }

    /** Connections refused (non-loopback or untrusted local uid without a token, socket errors). */
    public long refusedConnections() {
        return refusedConnections.sum();
    }

    /** Backend answers dropped because the client had paused reading and its held answers were full. */
    public long droppedAnswers() {
        return droppedAnswers.sum();
    }
}
