package io.tsfleet.listener.domain;

import java.util.concurrent.atomic.LongAdder;

/**
 * Replica-wide running totals, updated by every CPU's ledger as it accounts, read by metrics and heartbeats.
 * Counters only ever increase.
 */
public final class ReplicaTotals {
    /** Records received, attributed to their CPU and kept (written to the sink pipeline). */
    public final LongAdder records = new LongAdder();
    /** Records lost: sequence numbers that never arrived, below any handover fence. */
    public final LongAdder lost = new LongAdder();
    /**
     * Records kept but never written: the sink failed to write them (or lost them from its buffer), or the shutdown
     * could not wait for the sink any longer. Reported as loss together with {@link #lost} ({@link #lostReported}).
     */
    public final LongAdder unwritten = new LongAdder();
    /** ENOBUFS episodes (the in-band overrun message). */
    public final LongAdder enobufs = new LongAdder();
    /** Records received twice: a repeated or backwards seq on a CPU, or records past a fence already written. */
    public final LongAdder duplicates = new LongAdder();
    /** Records at or past a handover fence, left to the new owner. */
    public final LongAdder handedOver = new LongAdder();
    /** Events with a valid netlink header whose taskstats payload could not be decoded (counted, not written). */
    public final LongAdder malformed = new LongAdder();
    /** Events that arrived on a connection before its registration was sent (cannot be attributed; dropped). */
    public final LongAdder unattributed = new LongAdder();
    /** Handovers abandoned because the connection of a leaving CPU broke before its fence. */
    public final LongAdder handoversAborted = new LongAdder();
    /** Releases forced by the handover timeout (the fence was never reached). */
    public final LongAdder forcedReleases = new LongAdder();
    /**
     * Deregistrations at shutdown that the broker answered neither within the deregister timeout nor within as long
     * again of reading without waiting for the sink: what it still held for the connection is not known.
     */
    public final LongAdder unansweredDeregistrations = new LongAdder();

    /**
     * Records dropped because their node left the fleet (held back for a handover when the directive stopped naming
     * the node): not loss, the node is gone.
     */
    public final LongAdder droppedWithNode = new LongAdder();
    /** Node targets refused because the coordinator named no broker and the replica has none configured. */
    public final LongAdder refusedNoBroker = new LongAdder();
    /** Broker connections refused because the broker the coordinator named reported another node. */
    public final LongAdder refusedNodeMismatch = new LongAdder();

    /** Every record lost, whatever the cause: what the replica reports as lost (metric, heartbeat). */
    public long lostReported() {
        return lost.sum() + unwritten.sum();
    }
}
