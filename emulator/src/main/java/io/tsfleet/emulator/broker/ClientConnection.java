package io.tsfleet.emulator.broker;

import java.net.SocketAddress;

/**
 * The server side of one client's connection to the broker, as its {@link BrokerSession} sees it (the protocol module's
 * {@code BrokerClient} is the other end). Thread-safe.
 */
public interface ClientConnection {

    /** The server's number for this connection (for logs; not a port id). */
    long id();

    /** The client's address. */
    SocketAddress remoteAddress();

    /** The broker's address of this connection (the listening address and port the client connected to). */
    SocketAddress localAddress();

    /**
     * Signals that the session has output for {@link BrokerSession#drainTo}. Cheap and non-blocking; may be
     * called from any thread, as often as convenient (calls are coalesced).
     */
    void outputReady();

    /** Closes the connection; the server then calls {@link BrokerSession#close()}. */
    void close(String reason);
}
