package io.tsfleet.emulator.emulated.kernel;

/** The outcome of queueing one message on a socket ({@code netlink_unicast} with {@code MSG_DONTWAIT}). */
public enum Delivery {
    /** Queued: charged to the receive buffer. */
    QUEUED,
    /** Dropped because the receive buffer is full ({@code -EAGAIN}, {@code sk_drops++}). */
    DROPPED_RCVBUF_FULL,
    /** Dropped because the socket is congested after an overrun and has not been drained yet. */
    DROPPED_CONGESTED,
    /** No such socket any more ({@code -ECONNREFUSED}): the connection was closed. */
    REFUSED;

    public boolean queued() {
        return this == QUEUED;
    }
}
