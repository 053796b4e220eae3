package io.tsfleet.protocol.fleet;

/**
 * The coordinator's answer to a {@link NodeAnnouncement}: the node is registered until {@link #leaseMillis} after this
 * announcement, and its agent announces again every {@link #announceIntervalMillis} (shorter than the lease, so that a
 * lost announcement or two does not drop the node).
 *
 * @param leaseMillis            how long the coordinator keeps a node it hears nothing from
 * @param announceIntervalMillis how often the agent should announce
 */
public record NodeLease(long leaseMillis, long announceIntervalMillis) {
}
