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
     * {@link #drainTo}, followed by {@link ClientConnection#outputReady()}.
     */
    void onRequest(NetlinkMessage request);

    /**
     * Moves queued output into {@code out}: whole netlink messages only, each padded to 4 bytes as in a
     * datagram, as many as fit in {@code out.remaining()} (the server offers at least
     * {@link #MIN_DRAIN_BUFFER} bytes). Pending output that is taken here counts as read by the client
     * (it leaves the receive queue). Returns the number of bytes written; 0 when nothing is pending.
     */
    int drainTo(ByteBuffer out);

    /**
     * Whether the connection has the broker's trust: it presented the token ({@code TSFLEET_SOCK CMD_AUTH}), or the
     * broker has no token and admitted it as trusted when it opened. The server closes a connection that is not
     * authenticated {@link ConnectionLimits#authTimeout()} after accept. May be called from the server's I/O thread at
     * any time.
     */
    default boolean authenticated() {
        return true;
    }

    /**
     * Whether the socket may be registered as a listener on some CPU: such a connection legitimately sends nothing for
     * long periods (the protocol has no keepalive), so the server never closes it as idle. A conservative answer (true
     * when unsure) only keeps an idle connection open.
     */
    default boolean mayHaveRegistrations() {
        return false;
    }

    /**
     * False while the session holds as much output for the client as it accepts: the server then stops reading the
     * connection's input (the requests already read wait in the server's input buffer) until a {@link #drainTo} has
     * taken enough for this to be true again. A client that writes requests and never reads the answers thus fills its
     * own TCP buffers instead of the backend's memory. A session whose output is bounded otherwise (the emulated receive
     * queue drops what does not fit, as the kernel does) keeps the default.
     */
    default boolean acceptsInput() {
        return true;
    }

    /** The connection is gone. Called exactly once; idempotent in implementations. */
    void close();

    /**
     * The smallest buffer the server passes to {@link #drainTo}: more than the largest netlink message a
     * backend emits (an error that echoes the largest request the server accepts, 128 KiB, fits).
     */
    int MIN_DRAIN_BUFFER = 256 * 1024;
}
