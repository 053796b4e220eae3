package io.tsfleet.emulator.broker;

import java.io.IOException;

/**
 * The service behind the broker's TCP port: it turns each accepted connection into one netlink socket.
 * Two implementations exist: the emulated kernel ({@code tsfleet.emulator.backend=emulated}, the default)
 * and the live kernel's real {@code TASKSTATS} family ({@code kernel}, package
 * {@code io.tsfleet.emulator.live}).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>The {@link BrokerServer} accepts a TCP connection and calls {@link #open} once, on one of its I/O
 *       threads. The backend creates the socket (the emulated kernel allocates a port id; the live backend
 *       opens an {@code AF_NETLINK}/{@code NETLINK_GENERIC} socket) and returns its {@link BrokerSession}.
 *       Throwing refuses the connection: the server closes it and counts it.</li>
 *   <li>The server cuts the client's byte stream into netlink messages with {@code NetlinkStreamDecoder}
 *       and hands every complete message to {@link BrokerSession#onRequest}, in stream order. A malformed
 *       frame (nlmsg_len below 16 or above the maximum) closes the connection without reaching the
 *       backend.</li>
 *   <li>Everything the client would {@code recv()} (replies, acks, errors, exit events, the in-band
 *       {@code ENOBUFS} report) is queued by the session. The session calls
 *       {@link ClientConnection#outputReady()} when it has new output; the server then calls
 *       {@link BrokerSession#drainTo} from its writer (never concurrently for one session) and writes the
 *       bytes to the socket. The server asks for more only after it has written the previous batch, so a
 *       client that stops reading makes the session's queue fill up and overflow exactly as a netlink
 *       receive queue does (the backend decides what overflow means: the emulated kernel accounts
 *       truesize against {@code SO_RCVBUF}; the live backend keeps taking from its kernel socket into a bounded
 *       backlog, then stops reading it, and the kernel's own queue fills).</li>
 *   <li>When the connection ends (client close, error, broker shutdown) the server calls
 *       {@link BrokerSession#close()} exactly once; afterwards the session must not call back.</li>
 * </ul>
 *
 * <p>Threading: {@link #open}, {@link BrokerSession#onRequest} and {@link BrokerSession#drainTo} run on a
 * server I/O thread that serves many connections, so they must not block (no waiting on the network or on
 * another client); a backend that needs to block uses its own threads and signals with
 * {@link ClientConnection#outputReady()}. {@code outputReady} and {@link ClientConnection#close} may be
 * called from any thread.
 */
public interface BrokerBackend extends AutoCloseable {

    /** A short name for logs and metrics, e.g. {@code emulated} or {@code kernel}. */
    String name();

    /**
     * Opens the netlink socket for a newly accepted connection.
     *
     * @param connection the server side of the connection, for wake-ups and for closing it
     * @return the session that serves this connection until {@link BrokerSession#close()}
     * @throws IOException when the socket cannot be created; the connection is then closed
     */
    BrokerSession open(ClientConnection connection) throws IOException;

    /** Releases the backend's resources when the broker stops; sessions are closed before this. */
    @Override
    default void close() {
    }
}
