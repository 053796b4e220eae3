package io.tsfleet.listener.domain;

import io.tsfleet.listener.domain.CpuState.Phase;
import io.tsfleet.listener.domain.CpuSequenceLedger.ShutdownOutcome;
import io.tsfleet.listener.domain.CpuSequenceLedger.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuSequenceLedgerTest {
    private final ReplicaTotals totals = new ReplicaTotals();
    private final CpuSequenceLedger ledger = registered(new CpuSequenceLedger(3, totals, 100, HoldbackBudget.unlimited()));

    /** A ledger whose CPU is registered on its connection (a fence then deregisters it instead of releasing it at once). */
    static CpuSequenceLedger registered(CpuSequenceLedger l) {
        l.registering();
        l.registered();
        return l;
    }

    @Test
    void consecutiveSequenceNumbersAreKeptWithoutLoss() {
        for (int s = 10; s < 20; s++) assertThat(ledger.onRecord(s, true)).isEqualTo(Verdict.KEEP);
        CpuLedgerSnapshot s = ledger.snapshot();
        assertThat(s.records()).isEqualTo(10);
        assertThat(s.lost()).isZero();
        assertThat(s.firstSeq()).isEqualTo(10);
        assertThat(s.lastSeq()).isEqualTo(19);
        assertThat(totals.records.sum()).isEqualTo(10);
    }

    @Test
    void aGapIsCountedAsLostExactly() {
        ledger.onRecord(5, true);
        ledger.onRecord(6, true);
        ledger.onRecord(10, true);
        assertThat(ledger.snapshot().lost()).isEqualTo(3);
        assertThat(totals.lost.sum()).isEqualTo(3);
        assertThat(ledger.closeRateWindow(1.0)).as("the rate counts every seq step, lost included").isEqualTo(6.0);
    }

    @Test
    void dropsThatNoRecordRevealedAreCountedFromTheSocketsCountAndNotAgainAtTheFence() {
        ledger.onRecord(10, true);
        ledger.onRecord(11, true);
        assertThat(ledger.wantsDropCount()).as("nothing overran").isFalse();
        ledger.onOverrun();                         // 12..15 dropped, the CPU quiet afterwards
        assertThat(ledger.wantsDropCount()).isTrue();
        assertThat(ledger.onSocketDrops(4)).isEqualTo(4);
        assertThat(ledger.snapshot().lost()).isEqualTo(4);
        assertThat(ledger.wantsDropCount()).as("counted up to this overrun").isFalse();
        assertThat(ledger.onSocketDrops(4)).as("the same count again").isZero();

        ledger.leave(0);
        ledger.applyFence(20, 0);                  // 12..19 below the new owner's first seq 20: 16..19 never came
        ledger.deregistered();
        assertThat(ledger.snapshot().lost()).as("12..19, the first four counted once").isEqualTo(8);
        assertThat(totals.lost.sum()).isEqualTo(8);
    }

    @Test
    void aLeavingCpuIgnoresTheDropCountAndANewRunStartsItsOwn() {
        ledger.onRecord(10, true);
        ledger.onOverrun();
        ledger.leave(0);
        assertThat(ledger.wantsDropCount()).isFalse();
        assertThat(ledger.onSocketDrops(5)).as("drops past a fence belong to the new owner").isZero();
        ledger.rejoin();
        ledger.startRun(0);                          // a new connection: its socket counts from 0
        ledger.onRecord(500, true);
        ledger.onOverrun();
        assertThat(ledger.onSocketDrops(2)).isEqualTo(2);
        ledger.onRecord(503, true);                 // reveals the two
        assertThat(ledger.snapshot().lost()).isEqualTo(2);
    }

    @Test
    void aRunOfTheSameSequenceEpochContinuesTheSequenceAndAnotherStartsAfresh() {
        ledger.startRun(7);
        ledger.onRecord(10, true);
        ledger.onRecord(11, true);
        ledger.onOverrun();
        ledger.onSocketDrops(2);                    // 12 and 13 dropped at the end of the first run, counted
        ledger.startRun(7);                         // reconnected: the counters kept counting
        ledger.onRecord(20, true);                  // 12..19 missing: 12 and 13 counted already
        assertThat(ledger.snapshot().lost()).isEqualTo(8);
        ledger.onOverrun();
        assertThat(ledger.onSocketDrops(0)).as("the new socket dropped nothing").isZero();

        ledger.startRun(8);                         // another epoch (the broker restarted): no comparison
        ledger.onRecord(0, true);
        ledger.onRecord(1, true);
        assertThat(ledger.snapshot().lost()).isEqualTo(8);
        ledger.startRun(0);                         // unknown epoch: afresh too
        ledger.onRecord(5, true);
        assertThat(ledger.snapshot().lost()).isEqualTo(8);
        assertThat(ledger.snapshot().runs()).isEqualTo(4);
    }

    @Test
    void theU32WrapIsNotAGap() {
        int[] seqs = {0xFFFF_FFFD, 0xFFFF_FFFE, 0xFFFF_FFFF, 0, 1};
        for (int s : seqs) assertThat(ledger.onRecord(s, true)).isEqualTo(Verdict.KEEP);
        assertThat(ledger.snapshot().lost()).isZero();
        assertThat(ledger.snapshot().lastSeq()).isEqualTo(1);
        assertThat(ledger.snapshot().firstSeq()).isEqualTo(0xFFFF_FFFDL);
    }

    @Test
    void aGapAcrossTheWrapCountsTheMissingNumbers() {
        ledger.onRecord(0xFFFF_FFFE, true);
        ledger.onRecord(2, true);
        assertThat(ledger.snapshot().lost()).isEqualTo(3); // ffffffff, 0, 1
    }

    @Test
    void repeatedOrBackwardsSequenceNumbersAreDuplicatesAndNotKept() {
        ledger.onRecord(7, true);
        ledger.onRecord(8, true);
        assertThat(ledger.onRecord(8, true)).isEqualTo(Verdict.DUPLICATE);
        assertThat(ledger.onRecord(3, true)).isEqualTo(Verdict.DUPLICATE);
        assertThat(ledger.onRecord(9, true)).isEqualTo(Verdict.KEEP);
        CpuLedgerSnapshot s = ledger.snapshot();
        assertThat(s.duplicates()).isEqualTo(2);
        assertThat(s.records()).isEqualTo(3);
        assertThat(s.lost()).isZero();
    }

    @Test
    void overrunsAreCountedPerEpisode() {
        ledger.onOverrun();
        ledger.onOverrun();
        assertThat(ledger.snapshot().enobufs()).isEqualTo(2);
        assertThat(totals.enobufs.sum()).isEqualTo(2);
    }

    @Test
    void anUndecodablePayloadIsCountedAndNotKeptButAdvancesTheSequence() {
        ledger.onRecord(1, true);
        assertThat(ledger.onRecord(2, false)).isEqualTo(Verdict.MALFORMED);
        ledger.onRecord(3, true);
        assertThat(ledger.snapshot().malformed()).isEqualTo(1);
        assertThat(ledger.snapshot().lost()).isZero();
        assertThat(ledger.snapshot().records()).isEqualTo(2);
    }

    @Test
    void aNewRunDoesNotCompareWithTheOldOne() {
        ledger.onRecord(1000, true);
        ledger.startRun(0);
        assertThat(ledger.onRecord(0, true)).isEqualTo(Verdict.KEEP);
        ledger.onRecord(1, true);
        assertThat(ledger.snapshot().lost()).isZero();
        assertThat(ledger.snapshot().duplicates()).isZero();
        assertThat(ledger.snapshot().runs()).isEqualTo(1);
        assertThat(ledger.snapshot().firstSeq()).isEqualTo(1000);
    }

    @Test
    void rateCountsEverySequenceStepIncludingLostOnes() {
        ledger.onRecord(0, true);
        ledger.closeRateWindow(1.0);
        ledger.onRecord(50, true);
        ledger.onRecord(100, true);
        assertThat(ledger.closeRateWindow(2.0)).isEqualTo(50.0);
    }

    @Test
    void steadyHandoverHoldsBackAndSplitsAtTheFence() {
        for (int s = 0; s < 5; s++) ledger.onRecord(s, true);
        ledger.leave(1000);
        assertThat(ledger.phase()).isEqualTo(Phase.LEAVING);
        for (int s = 5; s < 10; s++) {
            assertThat(ledger.onRecord(s, true)).isEqualTo(Verdict.HOLD);
            ledger.hold(s, new byte[] {(byte) s}, new int[0]);
        }
        FenceOutcome out = ledger.applyFence(8, 2000); // the new owner's first seq is 8
        assertThat(out.toWrite()).extracting(HeldRecord::seq).containsExactly(5, 6, 7);
        assertThat(out.handedOver()).isEqualTo(2);
        assertThat(out.duplicates()).isZero();
        assertThat(out.deregister()).as("deregistered as soon as the fence is known").isTrue();
        assertThat(ledger.state()).isInstanceOf(CpuState.Releasing.class);
        CpuLedgerSnapshot s = ledger.snapshot();
        assertThat(s.records()).isEqualTo(8);
        assertThat(s.handedOver()).isEqualTo(2);
        assertThat(s.duplicates()).isZero();
        assertThat(s.phase()).isEqualTo(Phase.RELEASING);
        assertThat(ledger.onRecord(10, true)).isEqualTo(Verdict.HANDED_OVER);
    }

    @Test
    void aFenceBeforeTheRecordsArriveKeepsBelowAndHandsOverFromIt() {
        ledger.onRecord(0, true);
        ledger.leave(0);
        assertThat(ledger.applyFence(3, 0).deregister()).isTrue();
        assertThat(ledger.onRecord(1, true)).isEqualTo(Verdict.KEEP);
        assertThat(ledger.onRecord(2, true)).isEqualTo(Verdict.KEEP);
        assertThat(ledger.onRecord(3, true)).isEqualTo(Verdict.HANDED_OVER);
        ledger.deregistered();
        assertThat(ledger.snapshot().lost()).isZero();
    }

    @Test
    void lossBelowTheFenceIsOursAndLossFromTheFenceOnIsNot() {
        ledger.onRecord(0, true);
        ledger.leave(0);
        ledger.applyFence(10, 0);
        // 1..9 below the fence never arrive; 10..11 are the new owner's
        assertThat(ledger.onRecord(12, true)).isEqualTo(Verdict.HANDED_OVER);
        assertThat(ledger.snapshot().lost()).isEqualTo(9);
        ledger.deregistered();
        assertThat(ledger.snapshot().lost()).as("counted once").isEqualTo(9);
    }

    @Test
    void aForcedReleaseCountsTheRecordsBelowTheFenceThatNeverCame() {
        ledger.onRecord(0, true);
        ledger.leave(0);
        ledger.applyFence(10, 0);
        assertThat(ledger.onRecord(4, true)).isEqualTo(Verdict.KEEP);   // 1..3 lost, counted now
        assertThat(ledger.snapshot().lost()).isEqualTo(3);
        ledger.forceRelease();                                          // 5..9 never came either
        assertThat(ledger.snapshot().lost()).isEqualTo(8);
        assertThat(ledger.phase()).isEqualTo(Phase.RELEASED);
        ledger.forceRelease();                                          // counted once
        assertThat(ledger.snapshot().lost()).isEqualTo(8);
    }

    @Test
    void theAnswerToTheDeregistrationCountsTheRecordsBelowTheFenceThatNeverCameAndNothingElse() {
        ledger.onRecord(0, true);
        ledger.leave(0);
        ledger.applyFence(10, 0);                                       // deregistered at once: 1..9 are queued or dropped
        assertThat(ledger.onRecord(1, true)).isEqualTo(Verdict.KEEP);   // the backlog arrives after the fence
        assertThat(ledger.onRecord(2, true)).isEqualTo(Verdict.KEEP);
        assertThat(ledger.onRecord(6, true)).isEqualTo(Verdict.KEEP);   // 3..5 dropped by the broker
        assertThat(ledger.snapshot().lost()).isEqualTo(3);
        ledger.deregistered();                                          // the ack: 7..9 never came
        assertThat(ledger.snapshot().lost()).isEqualTo(6);
        assertThat(totals.lost.sum()).isEqualTo(6);
        assertThat(totals.forcedReleases.sum()).as("an answered deregistration is not a forced release").isZero();
        assertThat(ledger.phase()).isEqualTo(Phase.RELEASED);
        ledger.deregistered();
        assertThat(ledger.snapshot().lost()).as("counted once").isEqualTo(6);
        assertThat(ledger.onRecord(11, true)).isEqualTo(Verdict.HANDED_OVER);
        assertThat(ledger.snapshot().records()).isEqualTo(4);
    }

    @Test
    void anAnswerAfterEveryRecordBelowTheFenceCountsNoLoss() {
        for (int s = 0; s < 10; s++) ledger.onRecord(s, true);
        ledger.leave(0);
        ledger.applyFence(10, 0);
        ledger.deregistered();
        assertThat(ledger.snapshot().lost()).isZero();
        assertThat(ledger.phase()).isEqualTo(Phase.RELEASED);
    }

    @Test
    void aDeregistrationWithoutAFenceCountsNothing() {
        ledger.onRecord(0, true);
        assertThat(ledger.shutdown().deregister()).isTrue(); // shutdown of an owned CPU
        ledger.deregistered();
        assertThat(ledger.snapshot().lost()).isZero();
        assertThat(ledger.phase()).isEqualTo(Phase.RELEASED);
    }

    @Test
    void aShutdownDuringAFencedReleaseKeepsTheFence() {
        for (int s = 0; s < 5; s++) ledger.onRecord(s, true);
        ledger.leave(0);
        ledger.applyFence(10, 0);                                       // deregistered at once: 5..9 are queued or dropped
        ShutdownOutcome out = ledger.shutdown();
        assertThat(out.deregister()).as("the DEREGISTER was sent already").isFalse();
        assertThat(out.held()).isEmpty();
        assertThat(ledger.onRecord(5, true)).isEqualTo(Verdict.KEEP);   // the backlog below the fence is ours
        assertThat(ledger.onRecord(10, true)).as("the new owner's").isNotEqualTo(Verdict.KEEP);
        ledger.deregistered();                                          // the answer: 6..9 never came
        assertThat(ledger.snapshot().lost()).isEqualTo(4);
        assertThat(ledger.snapshot().records()).isEqualTo(6);
        assertThat(ledger.phase()).isEqualTo(Phase.RELEASED);
    }

    @Test
    void pendingGapsWhileLeavingAreSettledAtTheFence() {
        ledger.onRecord(0, true);
        ledger.leave(0);
        assertThat(ledger.onRecord(3, true)).isEqualTo(Verdict.HOLD); // 1, 2 missed: pending
        ledger.hold(3, new byte[1], new int[0]);
        assertThat(ledger.onRecord(8, true)).isEqualTo(Verdict.HOLD); // 4..7 missed: pending
        ledger.hold(8, new byte[1], new int[0]);
        assertThat(ledger.snapshot().lost()).isZero();
        FenceOutcome out = ledger.applyFence(6, 0);
        assertThat(out.toWrite()).extracting(HeldRecord::seq).containsExactly(3);
        // below the fence: 1, 2, 4, 5 are ours and lost; 6, 7 were the new owner's
        assertThat(ledger.snapshot().lost()).isEqualTo(4);
        assertThat(out.handedOver()).isEqualTo(1);
    }

    @Test
    void recordsWrittenPastAFenceThatArrivedLateAreCountedAsDuplicates() {
        for (int s = 0; s < 10; s++) ledger.onRecord(s, true);
        ledger.leave(0); // the coordinator told us late: the new owner's first seq was 6
        FenceOutcome out = ledger.applyFence(6, 0);
        assertThat(out.duplicates()).isEqualTo(4); // 6, 7, 8, 9 written here and kept there
        assertThat(out.exact()).isTrue();
        assertThat(ledger.snapshot().duplicates()).isEqualTo(4);
    }

    @Test
    void theDuplicateCountAtALateFenceSubtractsGaps() {
        ledger.onRecord(0, true);
        ledger.onRecord(1, true);
        ledger.onRecord(5, true); // 2, 3, 4 lost
        ledger.onRecord(6, true);
        ledger.leave(0);
        FenceOutcome out = ledger.applyFence(3, 0);
        assertThat(out.duplicates()).isEqualTo(2); // only 5 and 6 were written at or past 3
    }

    @Test
    void aFullHoldbackSpillsInOrderAndStopsHolding() {
        CpuSequenceLedger small = registered(new CpuSequenceLedger(1, totals, 2, HoldbackBudget.unlimited()));
        small.onRecord(0, true);
        small.leave(0);
        assertThat(small.onRecord(1, true)).isEqualTo(Verdict.HOLD);
        small.hold(1, new byte[1], new int[0]);
        assertThat(small.onRecord(2, true)).isEqualTo(Verdict.HOLD);
        small.hold(2, new byte[1], new int[0]);
        assertThat(small.onRecord(3, true)).isEqualTo(Verdict.SPILL_THEN_KEEP);
        assertThat(small.spillHoldback()).extracting(HeldRecord::seq).containsExactly(1, 2);
        assertThat(small.onRecord(4, true)).isEqualTo(Verdict.KEEP);
        FenceOutcome out = small.applyFence(3, 0);
        assertThat(out.duplicates()).isEqualTo(2); // 3 and 4 were written past the fence
        assertThat(small.snapshot().records()).isEqualTo(5);
    }

    @Test
    void theReplicaWideBudgetBoundsAllHoldbacksTogether() {
        HoldbackBudget budget = new HoldbackBudget(3);
        CpuSequenceLedger x = registered(new CpuSequenceLedger(1, totals, 100, budget));
        CpuSequenceLedger y = registered(new CpuSequenceLedger(2, totals, 100, budget));
        x.onRecord(0, true);
        y.onRecord(0, true);
        x.leave(0);
        y.leave(0);
        for (int s = 1; s <= 2; s++) {
            assertThat(x.onRecord(s, true)).isEqualTo(Verdict.HOLD);
            x.hold(s, new byte[1], new int[0]);
        }
        assertThat(y.onRecord(1, true)).isEqualTo(Verdict.HOLD);
        y.hold(1, new byte[1], new int[0]);
        assertThat(budget.inUse()).isEqualTo(3);
        assertThat(y.onRecord(2, true)).isEqualTo(Verdict.SPILL_THEN_KEEP);
        assertThat(y.spillHoldback()).hasSize(1);
        assertThat(budget.inUse()).isEqualTo(2);
        x.applyFence(2, 0);
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void rejoiningKeepsEverythingHeldAndCountsPendingGaps() {
        ledger.onRecord(0, true);
        ledger.leave(0);
        ledger.onRecord(2, true);
        ledger.hold(2, new byte[1], new int[0]);
        List<HeldRecord> back = ledger.rejoin();
        assertThat(back).extracting(HeldRecord::seq).containsExactly(2);
        assertThat(ledger.phase()).isEqualTo(Phase.OWNED);
        assertThat(ledger.snapshot().lost()).isEqualTo(1);
        assertThat(ledger.onRecord(3, true)).isEqualTo(Verdict.KEEP);
    }

    @Test
    void anAbortedHandoverKeepsWhatWasHeldAndIsCounted() {
        ledger.onRecord(0, true);
        ledger.leave(0);
        ledger.onRecord(1, true);
        ledger.hold(1, new byte[1], new int[0]);
        assertThat(ledger.connectionLost()).hasSize(1);
        assertThat(ledger.phase()).isEqualTo(Phase.RELEASED);
        assertThat(totals.handoversAborted.sum()).isEqualTo(1);
    }

    @Test
    void aFenceForAnOwnedCpuIsAProgrammingError() {
        assertThatThrownBy(() -> ledger.applyFence(1, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void reappliedFenceChangesNothing() {
        ledger.onRecord(0, true);
        ledger.leave(0);
        ledger.applyFence(5, 0);
        FenceOutcome again = ledger.applyFence(5, 10);
        assertThat(again.toWrite()).isEmpty();
        assertThat(ledger.fenceAgeMillis(100)).as("applied at 0, not again at 10").isEqualTo(100);
    }

    @Test
    void lossReportsAreIncremental() {
        ledger.onRecord(0, true);
        ledger.onRecord(3, true);
        assertThat(ledger.lostSinceReport()).isEqualTo(2);
        ledger.reported(2);
        ledger.onRecord(5, true);
        assertThat(ledger.lostSinceReport()).isEqualTo(1);
    }
}
