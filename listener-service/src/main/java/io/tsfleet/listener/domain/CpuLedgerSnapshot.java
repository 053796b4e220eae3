package io.tsfleet.listener.domain;

/**
 * A consistent copy of one CPU's accounting. Sequence numbers are u32 values, -1 when there is none.
 *
 * @param cpu           the CPU
 * @param state         the CPU's state (its phase: owned, leaving (held back, waiting for the fence), releasing (fence
 *                      known), released; and what its connection is doing)
 * @param runs          registrations so far (1 + reconnects)
 * @param records       records kept
 * @param lost          sequence numbers that never arrived (below any fence)
 * @param unwritten     records kept but never written (the sink failed, or the shutdown gave up on them)
 * @param enobufs       ENOBUFS episodes
 * @param duplicates    records received twice
 * @param handedOver    records at or past the fence, left to the new owner
 * @param malformed     undecodable events (counted, not written)
 * @param held          records currently held back
 * @param lastSeq       the last seq seen in the current run
 * @param firstSeq      the first seq seen since the CPU was acquired
 * @param fence         the handover fence
 * @param ratePerSecond the true exit rate of the CPU in the last window (seq steps per second, lost included)
 */
public record CpuLedgerSnapshot(int cpu, CpuState state, long runs, long records, long lost, long unwritten, long enobufs,
                                long duplicates, long handedOver, long malformed, int held, long lastSeq, long firstSeq,
                                long fence, double ratePerSecond) {

    public CpuState.Phase phase() {
        return state.phase();
    }
}
