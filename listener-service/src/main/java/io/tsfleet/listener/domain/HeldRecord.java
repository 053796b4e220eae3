package io.tsfleet.listener.domain;

/**
 * A record of a CPU that is leaving this replica, held back until the handover fence tells whether it is ours
 * (seq below the fence) or the new owner's. {@code frame} is a copy of the whole netlink message.
 */
public record HeldRecord(int seq, byte[] frame) {
}
