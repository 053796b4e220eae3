package io.tsfleet.emulator.node;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link NodeAgent} reaches the coordinator.
 *
 * @param coordinator    the coordinator's base URL ({@code http://host:port})
 * @param token          the bearer token of the node agent: none, fixed, or read from a file before every request
 * @param requestTimeout the connect and answer timeout of each request
 * @param retryBackoff   the pause after the first failed announcement; it doubles with every further failure
 * @param maxBackoff     the longest pause between failed announcements
 */
public record NodeAgentSettings(URI coordinator, NodeAgentToken token, Duration requestTimeout, Duration retryBackoff, Duration maxBackoff) {
    /** Announce intervals the agent accepts from the coordinator's answer (a wrong answer must not make it spin or fall silent). */
    static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    static final Duration MAX_INTERVAL = Duration.ofMinutes(5);

    public NodeAgentSettings {
        Objects.requireNonNull(coordinator, "coordinator");
        if (token == null) token = NodeAgentToken.none();
        if (requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("the request timeout must be positive");
        if (retryBackoff.isNegative() || retryBackoff.isZero()) throw new IllegalArgumentException("the retry backoff must be positive");
        if (maxBackoff.compareTo(retryBackoff) < 0) throw new IllegalArgumentException("the longest backoff must not be shorter than the first");
    }

    /** With a fixed token (blank: none). */
    public NodeAgentSettings(URI coordinator, String token, Duration requestTimeout, Duration retryBackoff, Duration maxBackoff) {
        this(coordinator, NodeAgentToken.fixed(token), requestTimeout, retryBackoff, maxBackoff);
    }

    /** The URL of one node's lease: {@code <coordinator>/internal/v1/nodes/<name>}. */
    URI nodeUri(String name) {
        String base = coordinator.toString();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        return URI.create(base + "/internal/v1/nodes/" + name);
    }
}
