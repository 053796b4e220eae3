package io.tsfleet.listener.domain;

import io.tsfleet.listener.domain.CpuState.Deregistering;
import io.tsfleet.listener.domain.CpuState.Ending;
import io.tsfleet.listener.domain.CpuState.Finished;
import io.tsfleet.listener.domain.CpuState.IllegalTransitionException;
import io.tsfleet.listener.domain.CpuState.Leaving;
import io.tsfleet.listener.domain.CpuState.Link;
import io.tsfleet.listener.domain.CpuState.Owned;
import io.tsfleet.listener.domain.CpuState.Phase;
import io.tsfleet.listener.domain.CpuState.Released;
import io.tsfleet.listener.domain.CpuState.Releasing;
import io.tsfleet.listener.domain.CpuState.Status;
import io.tsfleet.listener.domain.CpuSequenceLedger.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transitions of one CPU's state machine, the allowed ones and the refused ones. */
class CpuStateTest {
    private static final CpuState REGISTERED = CpuState.initial().registering().registered();

    @Test
    void aHandoverGoesFromOwnedThroughLeavingAndReleasingToReleased() {
        CpuState s = CpuState.initial();
        assertState(s, Phase.OWNED, Status.CONNECTING, false);
        s = s.registering();
        assertState(s, Phase.OWNED, Status.REGISTERING, false);
        s = s.registered();
        assertState(s, Phase.OWNED, Status.REGISTERED, true);
        s = s.leave();
        assertThat(s).isEqualTo(new Leaving(Link.REGISTERED));
        assertState(s, Phase.LEAVING, Status.REGISTERED, true);
        s = s.fence();
        assertThat(s).isInstanceOf(Releasing.class);
        assertState(s, Phase.RELEASING, Status.RELEASING, true);
        s = s.deregistered();
        assertThat(s).isEqualTo(new Released(Ending.DEREGISTERED));
        assertState(s, Phase.RELEASED, Status.RELEASING, false);
        assertThat(s.isDone()).isTrue();
        s = s.finish();
        assertThat(s).isEqualTo(new Finished(Phase.RELEASED, false));
        assertThat(s.status()).isEqualTo(Status.FINISHED);
    }

    @Test
    void aLeavingCpuComesBackWithItsLinkAndIsNotReleasedByALaterFence() {
        CpuState s = REGISTERED.leave().rejoin();
        assertThat(s).isEqualTo(new Owned(Link.REGISTERED));
        assertThatThrownBy(s::fence).isInstanceOf(IllegalTransitionException.class).hasMessageContaining("fence");
        assertThat(s.leave().leave()).as("leaving is idempotent").isEqualTo(new Leaving(Link.REGISTERED));
    }

    @Test
    void aFenceWithoutARegistrationReleasesAtOnce() {
        CpuState s = CpuState.initial().leave().fence();
        assertThat(s).isEqualTo(new Released(Ending.DEREGISTERED));
        assertThat(CpuState.initial().registering().leave().fence()).isEqualTo(new Released(Ending.DEREGISTERED));
    }

    @Test
    void anOwnedCpuReconnectsAndALeavingOneAbortsItsHandover() {
        CpuState lost = REGISTERED.connectionLost();
        assertState(lost, Phase.OWNED, Status.RETRYING, false);
        assertThat(lost.connecting()).isEqualTo(new Owned(Link.CONNECTING));
        assertThat(CpuState.initial().retrying().retrying().connecting().registering().retrying()).isEqualTo(new Owned(Link.RETRYING));

        CpuState aborted = REGISTERED.leave().connectionLost();
        assertThat(aborted).isEqualTo(new Released(Ending.ABORTED));
        assertThat(aborted.finish()).isEqualTo(new Finished(Phase.RELEASED, true));
        assertThat(REGISTERED.connectionLost().leave().connectionLost()).as("left while reconnecting").isEqualTo(new Released(Ending.ABORTED));
    }

    @Test
    void aReleasingCpuEndsReleasedWhateverHappens() {
        CpuState releasing = REGISTERED.leave().fence();
        assertThat(releasing.forced()).isEqualTo(new Released(Ending.FORCED));
        assertThat(releasing.connectionLost()).as("the connection closed after DEREGISTER").isEqualTo(new Released(Ending.DEREGISTERED));
        assertThat(releasing.rejoin()).as("back in the target: the deregistration completes first").isSameAs(releasing);
        assertThat(releasing.leave()).isSameAs(releasing);
        assertThat(releasing.fence()).as("a changed fence: DEREGISTER is not sent again").isSameAs(releasing);
    }

    @Test
    void shutdownDeregistersWhatIsRegisteredAndKeepsEveryRecord() {
        assertThat(REGISTERED.shutdown()).isInstanceOf(Deregistering.class);
        assertState(REGISTERED.shutdown(), Phase.OWNED, Status.RELEASING, true);
        assertThat(REGISTERED.leave().shutdown()).isInstanceOf(Deregistering.class);
        assertThat(REGISTERED.leave().fence().shutdown()).as("a fenced release keeps its fence").isInstanceOf(Releasing.class);
        CpuState retrying = REGISTERED.connectionLost();
        assertThat(retrying.shutdown()).as("nothing to deregister").isSameAs(retrying);
        assertThat(REGISTERED.shutdown().deregistered()).isEqualTo(new Released(Ending.DEREGISTERED));
        assertThat(REGISTERED.shutdown().connectionLost()).isEqualTo(new Released(Ending.DEREGISTERED));
        assertThat(REGISTERED.finish()).as("stopped while owned").isEqualTo(new Finished(Phase.OWNED, false));
    }

    @Test
    void aReleasedOrFinishedCpuTakesControlTransitionsWithoutChange() {
        List<UnaryOperator<CpuState>> control = List.of(CpuState::leave, CpuState::rejoin, CpuState::fence, CpuState::shutdown,
                CpuState::deregistered, CpuState::forced, CpuState::connectionLost);
        for (CpuState end : List.of(new Released(Ending.FORCED), new Finished(Phase.RELEASED, false))) {
            for (UnaryOperator<CpuState> t : control) assertThat(t.apply(end)).isSameAs(end);
        }
    }

    @Test
    void transitionsAStateDoesNotAllowAreRefused() {
        record Refused(CpuState from, UnaryOperator<CpuState> transition, String name) {
        }
        CpuState leaving = REGISTERED.leave();
        CpuState releasing = leaving.fence();
        CpuState deregistering = REGISTERED.shutdown();
        CpuState released = releasing.deregistered();
        List<Refused> refused = List.of(
                new Refused(REGISTERED, CpuState::connecting, "connecting"),
                new Refused(REGISTERED, CpuState::registering, "registering"),
                new Refused(REGISTERED, CpuState::registered, "registered"),
                new Refused(REGISTERED, CpuState::retrying, "retrying"),
                new Refused(CpuState.initial(), CpuState::registered, "registered"),
                new Refused(CpuState.initial().retrying(), CpuState::registering, "registering"),
                new Refused(REGISTERED, CpuState::fence, "fence"),
                new Refused(REGISTERED, CpuState::deregistered, "deregistered"),
                new Refused(REGISTERED, CpuState::forced, "forced"),
                new Refused(leaving, CpuState::deregistered, "deregistered"),
                new Refused(leaving, CpuState::forced, "forced"),
                new Refused(releasing, CpuState::connecting, "connecting"),
                new Refused(releasing, CpuState::registered, "registered"),
                new Refused(deregistering, CpuState::leave, "leave"),
                new Refused(deregistering, CpuState::fence, "fence"),
                new Refused(deregistering, CpuState::forced, "forced"),
                new Refused(deregistering, CpuState::rejoin, "rejoin"),
                new Refused(released, CpuState::connecting, "connecting"),
                new Refused(released, CpuState::registering, "registering"),
                new Refused(released, CpuState::registered, "registered"),
                new Refused(released, CpuState::retrying, "retrying"),
                new Refused(released.finish(), CpuState::connecting, "connecting"));
        for (Refused r : refused) {
            assertThatThrownBy(() -> r.transition().apply(r.from())).as("%s in %s", r.name(), r.from())
                    .isInstanceOf(IllegalTransitionException.class)
                    .hasMessage(r.name() + " is not allowed in state " + r.from());
        }
    }

    @Test
    void aRefusedTransitionLeavesTheLedgerAsItWas() {
        ReplicaTotals totals = new ReplicaTotals();
        CpuSequenceLedger ledger = CpuSequenceLedgerTest.registered(new CpuSequenceLedger(0, totals, 10, HoldbackBudget.unlimited()));
        ledger.onRecord(0, true);
        assertThatThrownBy(ledger::deregistered).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(ledger::registered).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(ledger::forceRelease).isInstanceOf(IllegalTransitionException.class);
        assertThat(ledger.state()).isEqualTo(new Owned(Link.REGISTERED));
        assertThat(totals.forcedReleases.sum()).isZero();
        assertThat(ledger.onRecord(1, true)).isEqualTo(Verdict.KEEP);
    }

    @Test
    void theLedgerFollowsTheStateThroughAReleaseItsConnectionEnds() {
        ReplicaTotals totals = new ReplicaTotals();
        CpuSequenceLedger ledger = CpuSequenceLedgerTest.registered(new CpuSequenceLedger(0, totals, 10, HoldbackBudget.unlimited()));
        ledger.onRecord(0, true);
        ledger.leave(0);
        assertThat(ledger.applyFence(10, 0).deregister()).isTrue();
        ledger.onRecord(3, true);                                   // 1, 2 lost
        assertThat(ledger.connectionLost()).isEmpty();              // the connection closed after DEREGISTER: 4..9 never came
        assertThat(ledger.state()).isEqualTo(new Released(Ending.DEREGISTERED));
        assertThat(ledger.snapshot().lost()).isEqualTo(8);
        assertThat(totals.handoversAborted.sum()).isZero();
        ledger.finish();
        assertThat(ledger.state()).isEqualTo(new Finished(Phase.RELEASED, false));
    }

    private static void assertState(CpuState s, Phase phase, Status status, boolean registered) {
        assertThat(s.phase()).as("phase of %s", s).isEqualTo(phase);
        assertThat(s.status()).as("status of %s", s).isEqualTo(status);
        assertThat(s.isRegistered()).as("registered in %s", s).isEqualTo(registered);
    }
}
