package io.tsfleet.listener.domain;

/**
 * A record of a CPU that is leaving this replica, held back until the handover fence tells whether it is ours
 * (seq below the fence) or the new owner's. {@code frame} is a copy of the whole netlink message, {@code layout} where
 * its parts lie as the reader parsed it (opaque here: the sink writer uses it so that the record is not parsed again).
 */
public record HeldRecord(int seq, byte[] frame, int[] layout) {
}
