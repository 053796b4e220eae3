package io.tsfleet.emulator.broker;

import java.time.Duration;

/**
 * How the broker's TCP server runs.
 *
 * @param bindAddress         address to listen on ({@code 0.0.0.0} for all)
 * @param port                TCP port (7411; 0 picks a free one, for tests)
 * @param ioThreads           event loops; each serves many connections
 * @param maxConnections      connections beyond this are closed right after accept (and counted)
 * @param maxMessageBytes     largest netlink message a client may send; a longer {@code nlmsg_len} closes the
 *                            connection (this bounds the bytes a client may have sent that are not yet read)
 * @param partialFrameTimeout how long a connection may sit on an incomplete message before it is closed
 *                            (slowloris)
 * @param tcpSendBufferBytes  {@code SO_SNDBUF} of every connection (see {@link BrokerServer}: what sits in TCP
 *                            buffers is no longer in the emulated receive queue, where the kernel would count its
 *                            overflow; smaller is closer to the kernel, larger moves more per write)
 * @param flushDelay          how long a connection's output may gather before it is written: 0 writes it as soon as its
 *                            loop comes round; more makes fewer, larger writes (a loopback write costs about the same
 *                            whatever it carries) at the price of that much delivery latency, answers included. The
 *                            output waits in the emulated receive queue, so it still overflows as the kernel's would.
 * @param limits              who may hold a connection and for how long: the authentication deadline, the idle timeout,
 *                            the per-peer limit, and whether non-loopback clients are admitted (only with a token)
 */
public record BrokerSettings(String bindAddress, int port, int ioThreads, int maxConnections, int maxMessageBytes,
                             Duration partialFrameTimeout, int tcpSendBufferBytes, Duration flushDelay, ConnectionLimits limits) {

    public static final int DEFAULT_PORT = 7411;
    public static final int DEFAULT_TCP_SEND_BUFFER = 128 * 1024;
    public static final Duration MAX_FLUSH_DELAY = Duration.ofSeconds(1);

    public BrokerSettings {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (ioThreads < 1 || ioThreads > 64) throw new IllegalArgumentException("ioThreads must be within 1..64");
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be positive");
        if (maxMessageBytes < 1024 || maxMessageBytes > BrokerSession.MIN_DRAIN_BUFFER / 2) {
            throw new IllegalArgumentException("maxMessageBytes must be within 1024.." + BrokerSession.MIN_DRAIN_BUFFER / 2);
        }
        if (tcpSendBufferBytes < 4096 || tcpSendBufferBytes > 16 << 20) {
            throw new IllegalArgumentException("tcpSendBufferBytes must be within 4096.." + (16 << 20));
        }
        if (partialFrameTimeout.isNegative() || partialFrameTimeout.isZero()) throw new IllegalArgumentException("partialFrameTimeout must be positive");
        if (limits == null) throw new IllegalArgumentException("limits must be set");
        if (flushDelay.isNegative() || flushDelay.compareTo(MAX_FLUSH_DELAY) > 0) {
            throw new IllegalArgumentException("flushDelay must be within 0.." + MAX_FLUSH_DELAY + ": " + flushDelay);
        }
    }

    /** The settings with {@link ConnectionLimits#defaults the default limits} of a broker without a token. */
    public BrokerSettings(String bindAddress, int port, int ioThreads, int maxConnections, int maxMessageBytes,
                          Duration partialFrameTimeout, int tcpSendBufferBytes, Duration flushDelay) {
        this(bindAddress, port, ioThreads, maxConnections, maxMessageBytes, partialFrameTimeout, tcpSendBufferBytes, flushDelay,
                ConnectionLimits.defaults(false));
    }

    public static BrokerSettings defaults(int port) {
        return new BrokerSettings("0.0.0.0", port, 2, 10_000, 128 * 1024, Duration.ofSeconds(10), DEFAULT_TCP_SEND_BUFFER, Duration.ZERO);
    }

    public BrokerSettings withLimits(ConnectionLimits newLimits) {
        return new BrokerSettings(bindAddress, port, ioThreads, maxConnections, maxMessageBytes, partialFrameTimeout, tcpSendBufferBytes,
                flushDelay, newLimits);
    }
}
