package io.tsfleet.emulator.live.netlink;

/** The outcome of one receive on a live netlink socket. */
public sealed interface Received {

    /**
     * One datagram as the kernel queued it (one or more netlink messages). When the datagram was larger than the
     * receive buffer, {@code bytes} holds its first part and {@code datagramLength} its real size.
     */
    record Datagram(byte[] bytes, int datagramLength) implements Received {
        public boolean truncated() {
            return datagramLength > bytes.length;
        }
    }

    /** {@code recv} failed with {@code ENOBUFS}: the kernel dropped messages for this socket since the last read. */
    record Overrun() implements Received {
    }

    /** Nothing queued (non-blocking receive) or the timeout expired. */
    record Nothing() implements Received {
    }

    /** The socket was closed (by another thread) while waiting. */
    record Closed() implements Received {
    }

    Received NOTHING = new Nothing();
    Received OVERRUN = new Overrun();
    Received CLOSED = new Closed();
}
