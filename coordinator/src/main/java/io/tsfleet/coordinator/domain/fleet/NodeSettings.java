package io.tsfleet.coordinator.domain.fleet;

import java.time.Duration;

/**
 * How the coordinator keeps the leases of node agents.
 *
 * @param lease            how long a node stays registered after its last announcement
 * @param announceInterval how often agents are told to announce (shorter than the lease)
 * @param maxNodes         how many nodes may be registered at once; an announcement of one more is refused
 */
public record NodeSettings(Duration lease, Duration announceInterval, int maxNodes) {
    public static final NodeSettings DEFAULTS = new NodeSettings(Duration.ofSeconds(30), Duration.ofSeconds(10), 1024);

    public NodeSettings {
        if (announceInterval.isNegative() || announceInterval.isZero()) throw new IllegalArgumentException("the node announce interval must be positive");
        if (lease.compareTo(announceInterval) <= 0) throw new IllegalArgumentException("the node lease must be longer than the announce interval");
        if (maxNodes < 1) throw new IllegalArgumentException("the node limit must be positive");
    }
}
