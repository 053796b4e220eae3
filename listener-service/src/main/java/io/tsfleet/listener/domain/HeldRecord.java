package io.tsfleet.listener.domain;

/**
 * A record of a CPU that is leaving this replica, held back until the handover fence tells whether it is ours
 * (seq below the fence) or the new owner's. {@code frame} is a copy of the whole netlink message, {@code layout} where
 * its parts lie as the reader parsed it (opaque here: the sink writer uses it so that the record is not parsed again), {@code timeEpochNanos} when the
 * reader read it from the broker (wall clock, ns since the epoch; 0 = not known): a record released after the fence
 * keeps the time it was read at.
 */
public record HeldRecord(int seq, byte[] frame, int[] layout, long timeEpochNanos) {
    public HeldRecord(int seq, byte[] frame, int[] layout) {
        this(seq, frame, layout, 0);
    }
}
