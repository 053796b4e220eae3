package io.tsfleet.listener.domain;

import io.tsfleet.listener.domain.CpuState.Deregistering;
import io.tsfleet.listener.domain.CpuState.Leaving;
import io.tsfleet.listener.domain.CpuState.Phase;
import io.tsfleet.listener.domain.CpuState.Releasing;
import io.tsfleet.protocol.netlink.SerialNumbers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static io.tsfleet.protocol.netlink.SerialNumbers.before;
import static io.tsfleet.protocol.netlink.SerialNumbers.distance;

/**
 * The accounting of one CPU of this replica, and its {@link CpuState} (the CPU's one state machine): every record
 * that arrives on the CPU's broker connection passes through {@link #onRecord} and gets a {@link Verdict}, and every
 * transition of the state comes with the accounting it calls for (a fence settles the holdback, a release counts the
 * records below the fence that never came). Thread-safe: the CPU's reader and the control thread serialise on the
 * ledger's monitor, which every method takes except {@link #onRecord}, the hot path: its caller holds the monitor
 * (the reader, in one hold for the verdict and what it asks for: {@link #hold} or {@link #spillHoldback}).
 * {@link #state()} is readable without it.
 *
 * <h2>Definitions</h2>
 * <ul>
 *   <li>A <em>run</em> is one registration on one broker connection. Sequence numbers are compared within a run,
 *       and across runs only when the broker reports the same sequence epoch for both (its counters kept counting:
 *       the same boot of the same kernel); otherwise a reconnect starts afresh (the broker may have restarted and its
 *       counters with it). Across runs of one epoch, the records sequenced while this CPU had no connection went to
 *       other listeners or nowhere: they are counted as lost when the new run's first record shows them.</li>
 *   <li><em>records</em>: records kept (written to the sink). <em>lost</em>: sequence numbers skipped inside a run
 *       (u32 serial arithmetic), below the handover fence if there is one. <em>duplicates</em>: a seq that does not
 *       advance (repeated or backwards), plus records at or past a fence that had already been written when the
 *       fence arrived. <em>handed over</em>: records at or past the fence, left to the new owner.</li>
 *   <li>Within a run, up to the fence: {@code last - runFirst + 1 = records + lost + malformed + held}.</li>
 *   <li>The true exit rate counts every seq step, lost records included ({@link #closeRateWindow}).</li>
 * </ul>
 *
 * <h2>Handover (the old owner's side)</h2>
 * When the CPU leaves the replica's target ({@link #leave}), records are held back (bounded) instead of written,
 * and new gaps are kept pending: until the fence is known, nobody can say whether they are ours. The fence
 * ({@link #applyFence}) settles them: held records below it are written, those from it on are handed over; pending
 * gaps below it become lost. Every record below the fence was sequenced before the new owner registered, so the
 * replica deregisters the CPU as soon as the fence is known; the broker's answer to the deregistration comes after
 * every record the connection will ever get, and then ({@link #deregistered}) the records between the last one seen
 * and the fence that never came are counted as lost: they were dropped by the broker (overflow).
 *
 * <h2>Loss that no later record reveals</h2>
 * A gap shows only when the next record arrives; after an exit storm a CPU may stay quiet for a long time. The
 * connection's socket counts every event it dropped ({@code sk_drops}, {@code TSFLEET_SOCK} {@code ATTR_DROPS}); its
 * socket is registered on this CPU alone and its first event always entered an empty queue, so that count, read in
 * band after the records queued before it, equals the gaps of the run so far plus the records dropped after the last
 * one seen. {@link #onSocketDrops} counts the difference as lost at once ("unrevealed"); a gap that reveals them
 * later is then not counted again.
 */
public final class CpuSequenceLedger {

    /** What to do with one record. */
    public enum Verdict {
        /** Ours: write it. */
        KEEP,
        /** The CPU is leaving: hand a copy to {@link #hold} and wait for the fence. */
        HOLD,
        /** The holdback is full: write {@link #spillHoldback()} first, then this record. */
        SPILL_THEN_KEEP,
        /** Seen before: drop it (counted). */
        DUPLICATE,
        /** At or past the handover fence: the new owner keeps it (counted). */
        HANDED_OVER,
        /** A valid header around an undecodable payload: drop it (counted). */
        MALFORMED
    }

    private final int cpu;
    private final ReplicaTotals totals;
    private final int holdbackLimit;
    private final HoldbackBudget budget;
    private final GapHistory gaps = new GapHistory(64);
    private final ArrayDeque<HeldRecord> holdback = new ArrayDeque<>();
    /** Gaps seen while leaving without a fence: start/length pairs, settled at the fence. */
    private final List<int[]> pendingGaps = new ArrayList<>();

    private volatile CpuState state = CpuState.initial();
    private boolean holding;
    private long runs;
    private boolean hasSeq;
    private int last;
    private int runFirst;
    private boolean hasWritten;
    private int writtenHigh;
    private long firstSeq = -1;

    private boolean fenceKnown;
    private int fence;
    private long fenceAppliedAtMillis;
    private long leavingSinceMillis;

    private long records;
    private long lost;
    private long enobufs;
    private long duplicates;
    private long handedOver;
    private long malformed;
    private long unwritten;
    private long seqAdvanced;

    private long seqAdvancedAtWindow;
    private double ratePerSecond;
    private long lostAtReport;

    /** Lost counted in the current run, unrevealed included. */
    private long runLost;
    /** Lost counted from the socket's drop count that no gap has revealed yet. */
    private long unrevealed;
    private long enobufsAtDropCount;
    private long runEpoch;
    /** The run continues the previous one's sequence: its first record's gap to {@code last} is loss between the runs. */
    private boolean betweenRuns;

    /** {@code holdbackLimit} bounds this CPU's holdback, {@code budget} all holdbacks of the replica together. */
    public CpuSequenceLedger(int cpu, ReplicaTotals totals, int holdbackLimit, HoldbackBudget budget) {
        if (cpu < 0) throw new IllegalArgumentException("cpu < 0");
        if (holdbackLimit < 0) throw new IllegalArgumentException("holdbackLimit < 0");
        this.cpu = cpu;
        this.totals = totals;
        this.holdbackLimit = holdbackLimit;
        this.budget = budget;
    }

    /** The CPU's state (read without the lock: it is replaced, never changed). */
    public CpuState state() {
        return state;
    }

    public Phase phase() {
        return state.phase();
    }

    // ---- the connection's transitions (the reader) ----

    /** A new connection attempt starts. */
    public synchronized void connecting() {
        state = state.connecting();
    }

    /** A connection attempt failed; another follows after the backoff. */
    public synchronized void retrying() {
        state = state.retrying();
    }

    /** The handshake is done and REGISTER sent (after {@link #startRun}). */
    public synchronized void registering() {
        state = state.registering();
    }

    /** The broker acknowledged the registration. */
    public synchronized void registered() {
        state = state.registered();
    }

    /**
     * The connection broke, or could not be made. An owned CPU reconnects. A leaving one is not reconnected: its
     * handover is aborted (the held records are returned, to be written; its pending gaps become lost; counted). A CPU
     * whose deregistration was sent is released: the broker will send it nothing more, and the records below the
     * fence that never came are counted as lost.
     */
    public synchronized List<HeldRecord> connectionLost() {
        CpuState before = state;
        CpuState next = before.connectionLost();
        List<HeldRecord> out = List.of();
        if (before instanceof Leaving) {
            out = drainHoldbackAsKept();
            settlePendingGaps(false, 0);
            totals.handoversAborted.increment();
        } else if (!before.isDone() && next.isDone()) {
            countMissingBelowFence();
        }
        state = next;
        return out;
    }

    /**
     * The CPU's node left the fleet (its lease expired or it withdrew): the connection is closed at once, without a
     * fence and without waiting for the broker. The records held back for a handover are dropped with the node, and
     * the gaps pending with them are forgotten: neither is loss (the node is gone, nobody will read its CPUs again
     * under this boot). Returns the records dropped, also counted in {@link ReplicaTotals#droppedWithNode}.
     */
    public synchronized long dropWithNode() {
        long dropped = holdback.size();
        budget.give(holdback.size());
        holdback.clear();
        holding = false;
        pendingGaps.clear();
        fenceKnown = false;
        totals.droppedWithNode.add(dropped);
        state = state.finish();
        return dropped;
    }

    /** Records kept on this CPU so far (what {@link ReplicaTotals#records} counted for it). */
    public synchronized long recordsKept() {
        return records;
    }

    /** Records of this CPU received twice so far (handover races). */
    public synchronized long duplicates() {
        return duplicates;
    }

    /** ENOBUFS episodes on this CPU's connection so far. */
    public synchronized long enobufs() {
        return enobufs;
    }

    /** Records lost on this CPU so far, as reported: sequence gaps plus records never written. */
    public synchronized long lostReported() {
        return lost + unwritten;
    }

    /** The CPU's reader ended. */
    public synchronized void finish() {
        state = state.finish();
    }

    /**
     * A new registration on a new connection whose broker reports {@code seqEpoch} (0: unknown). With the epoch of the
     * previous run, while the CPU is owned, the sequence continues: the first record's gap to the last one seen is
     * counted. Otherwise sequence numbers start afresh.
     */
    public synchronized void startRun(long seqEpoch) {
        boolean continues = seqEpoch != 0 && seqEpoch == runEpoch && hasSeq && phase() == Phase.OWNED;
        runs++;
        runEpoch = seqEpoch;
        if (!continues) {
            hasSeq = false;
            hasWritten = false;
            gaps.clear();
            unrevealed = 0;
        }
        betweenRuns = continues;
        // a new socket counts its drops from 0; the previous socket's unrevealed drops lie in the gap between the runs
        runLost = 0;
        enobufsAtDropCount = enobufs;
    }

    /**
     * Accounts one record with this seq; {@code decodable} is false for a valid header around a bad payload. The
     * caller holds the ledger's monitor ({@code synchronized (ledger)}) across this call and what its verdict asks for:
     * one monitor per record on the hot path.
     */
    public Verdict onRecord(int seq, boolean decodable) {
        Phase phase = state.phase();
        boolean first = !hasSeq;
        int step = first ? 1 : distance(last, seq);
        if (!first && step <= 0) {
            duplicates++;
            totals.duplicates.increment();
            return Verdict.DUPLICATE;
        }
        if (phase == Phase.RELEASED) {
            advance(seq, step, first);
            handedOver++;
            totals.handedOver.increment();
            return Verdict.HANDED_OVER;
        }
        if (fenceKnown && !before(seq, fence)) {
            if (!first && before(last, fence) && distance(last, fence) > 1) {
                gaps.record(last + 1, distance(last, fence) - 1);
                countLost(distance(last, fence) - 1);
            }
            advance(seq, step, first);
            handedOver++;
            totals.handedOver.increment();
            return Verdict.HANDED_OVER;
        }
        if (!first && step > 1) {
            gaps.record(last + 1, step - 1);
            if (phase == Phase.LEAVING) pendingGaps.add(new int[] {last + 1, step - 1});
            else if (betweenRuns) countLostBetweenRuns(step - 1);
            else countLost(step - 1);
        }
        betweenRuns = false;
        advance(seq, step, first);
        if (!decodable) {
            malformed++;
            totals.malformed.increment();
            return Verdict.MALFORMED;
        }
        if (holding) {
            if (holdback.size() < holdbackLimit && budget.tryTake()) return Verdict.HOLD;
            holding = false;
            wrote(seq);
            return Verdict.SPILL_THEN_KEEP;
        }
        wrote(seq);
        return Verdict.KEEP;
    }

    /** Stores the copy of a record that got {@link Verdict#HOLD}. */
    public synchronized void hold(int seq, byte[] frame, int[] layout) {
        hold(seq, frame, layout, 0);
    }

    /** Stores the copy of a record that got {@link Verdict#HOLD}, read from the broker at {@code timeEpochNanos}. */
    public synchronized void hold(int seq, byte[] frame, int[] layout, long timeEpochNanos) {
        if (phase() != Phase.LEAVING) throw new IllegalStateException("cpu " + cpu + " is not leaving");
        holdback.addLast(new HeldRecord(seq, frame, layout, timeEpochNanos));
    }

    /** After {@link Verdict#SPILL_THEN_KEEP}: the held records, to be written before the record at hand. */
    public synchronized List<HeldRecord> spillHoldback() {
        return drainHoldbackAsKept();
    }

    /** The in-band ENOBUFS message arrived on this CPU's connection. */
    public synchronized void onOverrun() {
        enobufs++;
        totals.enobufs.increment();
    }

    /**
     * The CPU left the replica's target: from now on records are held back (up to the limit) and gaps are pending
     * until the fence arrives. Idempotent.
     */
    public synchronized void leave(long nowMillis) {
        if (phase() != Phase.OWNED) return;
        state = state.leave();
        holding = holdbackLimit > 0;
        leavingSinceMillis = nowMillis;
    }

    /**
     * The CPU is back in the target before its fence: everything held is ours. Once the fence is known the
     * deregistration is under way and completes (the CPU is acquired again after it): nothing changes.
     */
    public synchronized List<HeldRecord> rejoin() {
        if (!(state instanceof Leaving)) return List.of();
        state = state.rejoin();
        return keepAll();
    }

    /**
     * What the shutdown keeps and whether it deregisters the CPU.
     *
     * @param held       the held records, to be written
     * @param deregister send DEREGISTER now (a registered CPU whose deregistration is not under way yet)
     */
    public record ShutdownOutcome(List<HeldRecord> held, boolean deregister) {
    }

    /**
     * Shutdown: a registered CPU is deregistered, and every record is ours (held records, pending gaps) unless the fence
     * is known: a CPU whose fenced release is under way keeps its fence and only waits for the broker's answer.
     */
    public synchronized ShutdownOutcome shutdown() {
        CpuState before = state;
        CpuState next = before.shutdown();
        List<HeldRecord> held = before instanceof Leaving ? keepAll() : List.of();
        state = next;
        return new ShutdownOutcome(held, next instanceof Deregistering && !(before instanceof Deregistering));
    }

    private List<HeldRecord> keepAll() {
        List<HeldRecord> out = drainHoldbackAsKept();
        settlePendingGaps(false, 0);
        fenceKnown = false;
        return out;
    }

    /**
     * The coordinator's fence for this CPU: the new owner's first seq. Records below it are ours, from it on the
     * new owner's. Records of ours at or past the fence that were already written are duplicates (a race: the new
     * owner registered before this replica knew the CPU was leaving).
     */
    public synchronized FenceOutcome applyFence(int fenceSeq, long nowMillis) {
        if (phase() == Phase.OWNED) throw new IllegalStateException("cpu " + cpu + " is still owned: a fence needs it out of the target");
        if (phase() == Phase.RELEASED) return new FenceOutcome(List.of(), 0, 0, true, false);
        if (fenceKnown && fence == fenceSeq) return new FenceOutcome(List.of(), 0, 0, true, false);
        CpuState before = state;
        CpuState next = before.fence(); // first: a refused transition changes nothing
        fenceKnown = true;
        fence = fenceSeq;
        fenceAppliedAtMillis = nowMillis;

        long dups = 0;
        boolean exact = true;
        if (hasWritten) {
            int from = before(runFirst, fenceSeq) ? fenceSeq : runFirst;
            if (!before(writtenHigh, from)) {
                GapHistory.Count missed = gaps.missedWithin(from, writtenHigh);
                dups = (long) distance(from, writtenHigh) + 1 - missed.value();
                exact = missed.exact();
            }
        }
        duplicates += dups;
        totals.duplicates.add(dups);

        List<HeldRecord> keep = new ArrayList<>();
        long discarded = 0;
        for (HeldRecord h : holdback) {
            if (before(h.seq(), fenceSeq)) keep.add(h);
            else discarded++;
        }
        budget.give(holdback.size());
        holdback.clear();
        holding = false;
        for (HeldRecord h : keep) wrote(h.seq());
        handedOver += discarded;
        totals.handedOver.add(discarded);
        settlePendingGaps(true, fenceSeq);
        // without a registration to withdraw the CPU is released at once: nothing more will come
        if (next.isDone()) countMissingBelowFence();
        state = next;
        return new FenceOutcome(keep, discarded, dups, exact, before instanceof Leaving && next instanceof Releasing);
    }

    /** Milliseconds since the fence was applied while its deregistration is under way, else -1. */
    public synchronized long fenceAgeMillis(long nowMillis) {
        return state instanceof Releasing ? nowMillis - fenceAppliedAtMillis : -1;
    }

    /**
     * The broker did not answer the deregistration within the handover timeout: the records between the last one
     * seen and the fence were ours and never came, so they are counted as lost (nothing is lost silently).
     */
    public synchronized void forceRelease() {
        if (state.isDone()) return;
        CpuState next = state.forced();
        countMissingBelowFence();
        state = next;
        totals.forcedReleases.increment();
    }

    /**
     * The broker answered the deregistration (or the connection is gone after it): every record this connection
     * will get has been seen. Those between the last one seen and the fence never came (the broker dropped them):
     * they are counted as lost now, exactly. Without a fence (shutdown) nothing is missing.
     */
    public synchronized void deregistered() {
        if (state.isDone()) return;
        CpuState next = state.deregistered();
        countMissingBelowFence();
        state = next;
    }

    /** The records between the last one seen and the fence never came: lost (none without a fence). */
    private void countMissingBelowFence() {
        if (fenceKnown && hasSeq && before(last, fence - 1)) {
            gaps.record(last + 1, distance(last, fence) - 1);
            countLost(distance(last, fence) - 1);
        }
    }

    /** Closes a rate window: the true exit rate (seq steps per second, lost included) since the previous window. */
    public synchronized double closeRateWindow(double elapsedSeconds) {
        long advanced = seqAdvanced - seqAdvancedAtWindow;
        seqAdvancedAtWindow = seqAdvanced;
        ratePerSecond = elapsedSeconds > 0 ? advanced / elapsedSeconds : 0;
        return ratePerSecond;
    }

    /**
     * Records kept on this CPU that were never written (the sink failed, or the shutdown gave up waiting for it): lost
     * at the sink. They stay counted in {@code records} (they were kept) and are reported as lost with the gaps.
     */
    public synchronized void unwritten(long count) {
        if (count <= 0) return;
        unwritten += count;
        totals.unwritten.add(count);
    }

    /** Records lost since the last successful report to the coordinator: gaps and records never written. */
    public synchronized long lostSinceReport() {
        return lost + unwritten - lostAtReport;
    }

    /** The coordinator received a report that carried {@code lostReported} for this CPU. */
    public synchronized void reported(long lostReported) {
        lostAtReport += lostReported;
    }

    public synchronized long leavingSinceMillis() {
        return leavingSinceMillis;
    }

    /** The first seq received since the CPU was acquired (u32), or -1 before any. */
    public synchronized long firstSeq() {
        return firstSeq;
    }

    public synchronized CpuLedgerSnapshot snapshot() {
        return new CpuLedgerSnapshot(cpu, state, runs, records, lost, unwritten, enobufs, duplicates, handedOver, malformed,
                holdback.size(), hasSeq ? SerialNumbers.unsigned(last) : -1, firstSeq,
                fenceKnown ? SerialNumbers.unsigned(fence) : -1, ratePerSecond);
    }

    private void advance(int seq, int step, boolean first) {
        seqAdvanced += step;
        if (first) {
            runFirst = seq;
            if (firstSeq < 0) firstSeq = SerialNumbers.unsigned(seq);
        }
        hasSeq = true;
        last = seq;
    }

    private void wrote(int seq) {
        records++;
        totals.records.increment();
        if (!hasWritten || before(writtenHigh, seq)) writtenHigh = seq;
        hasWritten = true;
    }

    /** A gap of {@code count} records is known: counts what the socket's drop count has not counted already. */
    private void countLost(long count) {
        if (count <= 0) return;
        long known = Math.min(count, unrevealed);
        unrevealed -= known;
        addLost(count - known);
    }

    /** The gap between two runs: the previous socket's unrevealed drops are part of it; none of it is the new socket's. */
    private void countLostBetweenRuns(long count) {
        long known = Math.min(count, unrevealed);
        unrevealed = 0;
        lost += count - known;
        totals.lost.add(count - known);
    }

    private void addLost(long count) {
        if (count <= 0) return;
        lost += count;
        runLost += count;
        totals.lost.add(count);
    }

    /**
     * Whether the socket's drop count is worth asking for: the CPU is owned, its run has records, and an overrun was
     * reported since the last count (without one the kernel dropped nothing).
     */
    public synchronized boolean wantsDropCount() {
        return phase() == Phase.OWNED && hasSeq && enobufs > enobufsAtDropCount;
    }

    /**
     * The socket's drop count ({@code sk_drops} since it opened), read in band: every record queued before it has
     * been accounted. Drops beyond the loss counted in this run are records dropped after the last one seen: they are
     * counted as lost now, and not again when a later record reveals their gap. Only while the CPU is owned (a
     * leaving CPU's drops beyond its fence belong to the new owner). Returns the records newly counted.
     */
    public synchronized long onSocketDrops(long drops) {
        if (phase() != Phase.OWNED || !hasSeq) return 0;
        enobufsAtDropCount = enobufs;
        long extra = drops - runLost;
        if (extra <= 0) return 0;
        unrevealed += extra;
        addLost(extra);
        return extra;
    }

    private List<HeldRecord> drainHoldbackAsKept() {
        List<HeldRecord> out = new ArrayList<>(holdback);
        budget.give(holdback.size());
        holdback.clear();
        holding = false;
        for (HeldRecord h : out) wrote(h.seq());
        return out;
    }

    /** Pending gaps become lost: all of them, or (at a fence) the part below the fence. */
    private void settlePendingGaps(boolean atFence, int fenceSeq) {
        for (int[] g : pendingGaps) {
            int count = g[1];
            if (atFence) {
                int belowFence = distance(g[0], fenceSeq);
                count = Math.max(0, Math.min(count, belowFence));
            }
            countLost(count);
        }
        pendingGaps.clear();
    }
}
