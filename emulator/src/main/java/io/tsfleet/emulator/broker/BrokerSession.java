package io.tsfleet.emulator.broker;

import io.tsfleet.protocol.netlink.NetlinkMessage;

import java.nio.ByteBuffer;

/**
 * One netlink socket, bound to one broker connection. Created by {@link BrokerBackend#open}; see that
 * interface for the threading contract.
 */
public interface BrokerSession {

    /**
     * The socket's netlink port id: non-zero, unique among the backend's open sockets (the kernel's
     * {@code nlmsg_pid} of replies and the listener identity of REGISTER).
     */
    int portId();

    /**
     * One message exactly as the client sent it (what it would {@code send()} on a {@code NETLINK_GENERIC}
     * socket). Called in stream order, never concurrently for one session. Any answer is queued for
     * {@link #drainTo}, followed by {@link BrokerConnection#outputReady()}.
     */
    void onRequest(NetlinkMessage request);

    /**
     * Moves queued output into {@code out}: whole netlink messages only, each padded to 4 bytes as in a
     * datagram, as many as fit in {@code out.remaining()} (the server offers at least
     * {@link #MIN_DRAIN_BUFFER} bytes). Pending output that is taken here counts as read by the client
     * (it leaves the receive queue). Returns the number of bytes written; 0 when nothing is pending.
     */
    int drainTo(ByteBuffer out);

    /** The connection is gone. Called exactly once; idempotent in implementations. */
    void close();

    /**
     * The smallest buffer the server passes to {@link #drainTo}: more than the largest netlink message a
     * backend emits (an error that echoes the largest request the server accepts, 128 KiB, fits).
     */
    int MIN_DRAIN_BUFFER = 256 * 1024;
}
