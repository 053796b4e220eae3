package io.tsfleet.emulator.broker;

import java.time.Duration;

/**
 * Who may hold a broker connection, and for how long (see {@link BrokerServer}).
 *
 * @param authTimeout           a connection whose session is not {@linkplain BrokerSession#authenticated() authenticated}
 *                              this long after it was accepted is closed (counted): a client without the token cannot
 *                              hold a connection slot
 * @param idleTimeout           an authenticated connection that has sent nothing for this long and has no listener
 *                              registration is closed (counted); {@link Duration#ZERO} never closes one. A registered
 *                              listener legitimately sends nothing for hours (the protocol has no keepalive), so
 *                              registered connections are never idle-closed
 * @param maxConnectionsPerPeer connections one remote address may hold at once; more are refused right after accept
 * @param tokenConfigured       whether the broker has a token: without one, a client that is not on loopback is
 *                              refused (it could never authenticate, and an unauthenticated broker must not face the
 *                              network)
 * @param refusalLogInterval    at most one WARN per reason of refusal or close in this interval; the rest are counted and
 *                              reported with the next WARN
 */
public record ConnectionLimits(Duration authTimeout, Duration idleTimeout, int maxConnectionsPerPeer, boolean tokenConfigured,
                               Duration refusalLogInterval) {
    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = 1024;
    public static final Duration DEFAULT_REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);

    public ConnectionLimits {
        if (authTimeout.isNegative() || authTimeout.isZero()) throw new IllegalArgumentException("authTimeout must be positive: " + authTimeout);
        if (idleTimeout.isNegative()) throw new IllegalArgumentException("idleTimeout must not be negative: " + idleTimeout);
        if (maxConnectionsPerPeer < 1) throw new IllegalArgumentException("maxConnectionsPerPeer must be positive: " + maxConnectionsPerPeer);
        if (refusalLogInterval.isNegative()) throw new IllegalArgumentException("refusalLogInterval must not be negative");
    }

    /** The defaults, for a broker with or without a token. */
    public static ConnectionLimits defaults(boolean tokenConfigured) {
        return new ConnectionLimits(DEFAULT_AUTH_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS_PER_PEER, tokenConfigured,
                DEFAULT_REFUSAL_LOG_INTERVAL);
    }

    public ConnectionLimits withTimeouts(Duration auth, Duration idle) {
        return new ConnectionLimits(auth, idle, maxConnectionsPerPeer, tokenConfigured, refusalLogInterval);
    }

    public ConnectionLimits withMaxConnectionsPerPeer(int perPeer) {
        return new ConnectionLimits(authTimeout, idleTimeout, perPeer, tokenConfigured, refusalLogInterval);
    }

    public ConnectionLimits withTokenConfigured(boolean configured) {
        return new ConnectionLimits(authTimeout, idleTimeout, maxConnectionsPerPeer, configured, refusalLogInterval);
    }
}
