package io.tsfleet.coordinator.domain;

import io.tsfleet.protocol.testing.ManualClock;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.HandoverView;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reconciler's state machine and membership, step by step through the public operations. */
class CoordinatorTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryAssignmentStore store = new InMemoryAssignmentStore();
    private final CoordinatorSettings settings = withShortWarmup(CoordinatorSettings.defaults(CpuSet.range(0, 7)));

    /** Loads count as known 4 s after start, well within the 10 s lease. */
    private static CoordinatorSettings withShortWarmup(CoordinatorSettings d) {
        var p = d.policy();
        return new CoordinatorSettings(d.possibleCpus(), d.heartbeatInterval(), d.lease(), d.loadSmoothing(), d.planner(),
                new io.tsfleet.coordinator.domain.policy.PolicySettings(p.imbalanceThreshold(), p.imbalanceSustain(), p.overflowSustain(),
                        p.cooldown(), Duration.ofSeconds(4)), d.reconciler(), d.scaling(), d.auditCapacity());
    }
    private Coordinator coordinator = new Coordinator(settings, new StickyBalancedAssignor(), store, clock);

    private long aApplied;

    /** a owns 0-7; b joined and, after warm-up, is planned 0-3. Returns the generation of the PREPARE step. */
    private long twoReplicasWithAMovePlanned() {
        ReplicaDirective a = coordinator.heartbeat("a", Heartbeats.empty("a", "ia", 0));
        assertThat(a.target(Heartbeats.NODE).targetCpus()).isEqualTo("0-7");
        aApplied = a.generation();
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", a.generation(), "0-7", 10, Map.of(), ""));
        coordinator.heartbeat("b", Heartbeats.empty("b", "ib", 0));
        clock.advance(settings.policy().loadWarmup());
        coordinator.tick();
        assertThat(coordinator.assignment().handovers()).extracting(HandoverView::phase).containsOnly("PREPARE").hasSize(4);
        return coordinator.generation();
    }

    @Test
    void aMoveGoesThroughPrepareMakeAndBreakWithTheNewOwnersFirstSequenceAsTheFence() {
        long prepare = twoReplicasWithAMovePlanned();
        // PREPARE: the CPUs left a's target, no fence yet; b is not told yet
        ReplicaDirective a = coordinator.directiveFor("a");
        assertThat(a.target(Heartbeats.NODE).targetCpus()).isEqualTo("4-7");
        assertThat(a.target(Heartbeats.NODE).releaseFences()).isEmpty();
        assertThat(coordinator.directiveFor("b").target(Heartbeats.NODE).targetCpus()).isEmpty();

        // a acknowledges the PREPARE generation -> MAKE: b is told to register
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", prepare, "0-7", 10, Map.of(), ""));
        ReplicaDirective b = coordinator.directiveFor("b");
        assertThat(b.target(Heartbeats.NODE).targetCpus()).isEqualTo("0-3");
        assertThat(b.generation()).isGreaterThan(prepare);

        // b registers and reports its first sequence numbers -> BREAK: a gets the fences
        coordinator.heartbeat("b", Heartbeats.of("b", "ib", b.generation(), "0-3", 10, Map.of(0, 100L, 1, 200L, 2, 300L, 3, 4_294_967_295L), ""));
        a = coordinator.directiveFor("a");
        assertThat(a.target(Heartbeats.NODE).releaseFences()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 100L, 1, 200L, 2, 300L, 3, 4_294_967_295L));
        assertThat(coordinator.assignment().owners()).containsEntry("b", "0-3").containsEntry("a", "4-7");

        // a releases after the fences -> done
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", a.generation(), "4-7", 10, Map.of(), "0-3"));
        assertThat(coordinator.assignment().handovers()).isEmpty();
        assertThat(coordinator.assignment().releases()).isEmpty();
        assertThat(coordinator.directiveFor("a").target(Heartbeats.NODE).releaseFences()).isEmpty();
        assertThat(coordinator.status().cpusMoved()).isEqualTo(4);
    }

    /** Drives the move of 0-3 to b into MAKE; returns the MAKE generation. */
    private long intoMake() {
        long prepare = twoReplicasWithAMovePlanned();
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", prepare, "0-7", 10, Map.of(), ""));
        return coordinator.generation();
    }

    @Test
    void aMakeThatTimesOutIsAbortedAndStillCompletesWhenTheNewOwnerHadReceivedRecords() {
        long make = intoMake();
        clock.advance(settings.reconciler().handoverTimeout().plusSeconds(1));
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", make, "0-7", 10, Map.of(), ""));
        coordinator.heartbeat("b", Heartbeats.of("b", "ib", make, "0-3", 10, Map.of(), "")); // registered, no first seq yet
        coordinator.tick();
        assertThat(coordinator.assignment().handovers()).extracting(HandoverView::phase).containsOnly("ABORT");
        assertThat(coordinator.directiveFor("b").target(Heartbeats.NODE).targetCpus()).isEmpty();      // b holds now
        assertThat(coordinator.directiveFor("a").target(Heartbeats.NODE).targetCpus()).isEqualTo("4-7"); // a still holds

        // b's first sequence numbers arrive after all: the move completes with them as fences
        long abort = coordinator.generation();
        coordinator.heartbeat("b", Heartbeats.of("b", "ib", abort, "0-3", 10, Map.of(0, 50L, 1, 51L, 2, 52L, 3, 53L), ""));

        assertThat(coordinator.assignment().handovers()).extracting(HandoverView::phase).containsOnly("BREAK");
        assertThat(coordinator.directiveFor("b").target(Heartbeats.NODE).targetCpus()).isEqualTo("0-3");
        assertThat(coordinator.directiveFor("a").target(Heartbeats.NODE).releaseFences()).containsEntry(2, 52L);
    }

    @Test
    void anAbortConfirmedWithoutAFirstSequenceIsRolledBack() {
        long make = intoMake();
        clock.advance(settings.reconciler().handoverTimeout().plusSeconds(1));
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", make, "0-7", 10, Map.of(), ""));
        coordinator.heartbeat("b", Heartbeats.of("b", "ib", make, "0-3", 10, Map.of(), ""));
        coordinator.tick();
        long abort = coordinator.generation();

        coordinator.heartbeat("b", Heartbeats.of("b", "ib", abort, "0-3", 0, Map.of(), ""));

        assertThat(coordinator.assignment().handovers()).isEmpty();
        assertThat(coordinator.directiveFor("a").target(Heartbeats.NODE).targetCpus()).isEqualTo("0-7");
        assertThat(coordinator.audit(20)).anyMatch(e -> e.type().equals("handover-rolled-back") && e.message().contains("abort"));
    }

    @Test
    void aReplicaWhoseLeaseExpiredWhileItKeptWorkingIsFencedWithTheNewOwnersFirstSequence() {
        ReplicaDirective d = coordinator.heartbeat("a", Heartbeats.empty("a", "ia", 0));
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", d.generation(), "0-7", 10, Map.of(), ""));
        long aApplied = d.generation();
        coordinator.heartbeat("b", Heartbeats.empty("b", "ib", 0));
        // a's heartbeats are lost for longer than the lease; b keeps heartbeating
        for (int i = 0; i < 6; i++) {
            clock.advance(Duration.ofSeconds(2));
            coordinator.heartbeat("b", Heartbeats.of("b", "ib", coordinator.generation(), coordinator.directiveFor("b").target(Heartbeats.NODE).targetCpus(), 10, Map.of(), ""));
            coordinator.tick();
        }
        assertThat(coordinator.directiveFor("b").target(Heartbeats.NODE).targetCpus()).isEqualTo("0-7");
        // a comes back, still registered on 0-7 (same process): a stray until the new owner's first sequence is known
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", aApplied, "0-7", 10, Map.of(0, 1L), ""));
        assertThat(coordinator.directiveFor("a").target(Heartbeats.NODE).releaseFences()).isEmpty();
        // b reports its first sequence numbers: a must keep what came before them
        coordinator.heartbeat("b", Heartbeats.of("b", "ib", coordinator.generation(), "0-7", 10, Map.of(0, 900L, 5, 905L), ""));
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", aApplied, "0-7", 10, Map.of(0, 1L), ""));

        assertThat(coordinator.directiveFor("a").target(Heartbeats.NODE).releaseFences()).containsEntry(0, 900L).containsEntry(5, 905L).doesNotContainKey(1);
    }

    @Test
    void acknowledgementsFromOlderGenerationsAreRefused() {
        long prepare = twoReplicasWithAMovePlanned();
        // a heartbeat that a sent before applying the PREPARE generation does not advance the handover
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", prepare - 1, "0-7", 10, Map.of(), ""));
        assertThat(coordinator.assignment().handovers()).extracting(HandoverView::phase).containsOnly("PREPARE");
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", prepare, "0-7", 10, Map.of(), ""));
        long make = coordinator.generation();
        // b reports first sequences under a generation older than the MAKE step: not a fence
        coordinator.heartbeat("b", Heartbeats.of("b", "ib", make - 1, "0-3", 10, Map.of(0, 5L), ""));
        assertThat(coordinator.directiveFor("a").target(Heartbeats.NODE).releaseFences()).isEmpty();
        // a heartbeat older than one already accepted from the same replica is stale and ignored
        coordinator.heartbeat("b", Heartbeats.of("b", "ib", make, "0-3", 10, Map.of(), ""));
        long before = coordinator.status().staleHeartbeats();
        coordinator.heartbeat("b", Heartbeats.of("b", "ib", make - 1, "0-3", 10, Map.of(0, 5L), ""));
        assertThat(coordinator.status().staleHeartbeats()).isEqualTo(before + 1);
        assertThat(coordinator.directiveFor("a").target(Heartbeats.NODE).releaseFences()).isEmpty();
    }

    @Test
    void aHandoverWhoseOldOwnerNeverAcknowledgesIsRolledBack() {
        twoReplicasWithAMovePlanned();
        clock.advance(settings.reconciler().handoverTimeout().plusSeconds(1));
        coordinator.heartbeat("b", Heartbeats.empty("b", "ib", coordinator.generation()));
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", aApplied, "0-7", 10, Map.of(), "")); // alive, never applies PREPARE
        coordinator.tick();

        assertThat(coordinator.assignment().handovers()).isEmpty();
        assertThat(coordinator.directiveFor("a").target(Heartbeats.NODE).targetCpus()).isEqualTo("0-7");
        assertThat(coordinator.status().handoverRollbacks()).isEqualTo(4);
        assertThat(coordinator.audit(20)).anyMatch(e -> e.type().equals("handover-rolled-back"));
    }

    @Test
    void aDeadOwnersCpusGoToTheSurvivorAtOnceWithoutMakeBeforeBreak() {
        coordinator.heartbeat("a", Heartbeats.empty("a", "ia", 0));
        coordinator.heartbeat("b", Heartbeats.empty("b", "ib", 0));
        clock.advance(settings.policy().loadWarmup());
        coordinator.tick();
        // b keeps heartbeating, a goes silent
        for (int i = 0; i < 6; i++) {
            clock.advance(Duration.ofSeconds(2));
            coordinator.heartbeat("b", Heartbeats.of("b", "ib", coordinator.generation(), coordinator.directiveFor("b").target(Heartbeats.NODE).targetCpus(), 10, Map.of(), ""));
            coordinator.tick();
        }
        assertThat(coordinator.replicas()).extracting(r -> r.id()).containsExactly("b");
        assertThat(coordinator.directiveFor("b").target(Heartbeats.NODE).targetCpus()).isEqualTo("0-7");
        assertThat(coordinator.assignment().handovers()).isEmpty();
        assertThat(coordinator.audit(50)).anyMatch(e -> e.type().equals("expired"));
    }

    @Test
    void aRestartedReplicaIsANewMemberThatKeepsItsCpus() {
        ReplicaDirective d = coordinator.heartbeat("a", Heartbeats.empty("a", "first", 0));
        coordinator.heartbeat("a", Heartbeats.of("a", "first", d.generation(), "0-7", 10, Map.of(), ""));
        // the old process died: its lease runs out (ticks every 4 s, so that the coordinator does not count as stalled)
        clock.advance(Duration.ofSeconds(4));
        coordinator.tick();
        clock.advance(Duration.ofSeconds(4));
        coordinator.tick();
        clock.advance(Duration.ofMillis(2001));
        ReplicaDirective again = coordinator.heartbeat("a", Heartbeats.empty("a", "second", 0));

        assertThat(again.target(Heartbeats.NODE).targetCpus()).isEqualTo("0-7");
        assertThat(coordinator.replicas().getFirst().incarnation()).isEqualTo("second");
        assertThat(coordinator.audit(10)).anyMatch(e -> e.type().equals("restarted"));
    }

    @Test
    void aLateHeartbeatOfAReplacedProcessIsRefusedNotTakenForAnotherRestart() {
        coordinator.heartbeat("a", Heartbeats.empty("a", "first", 0));
        clock.advance(Duration.ofSeconds(4));
        coordinator.tick();
        clock.advance(Duration.ofSeconds(4));
        coordinator.tick();
        clock.advance(Duration.ofMillis(2001));
        coordinator.heartbeat("a", Heartbeats.empty("a", "second", 0));

        assertThatThrownBy(() -> coordinator.heartbeat("a", Heartbeats.empty("a", "first", 0)))
                .isInstanceOf(CoordinatorException.Conflict.class).hasMessageContaining("replaced");
        assertThat(coordinator.replicas().getFirst().incarnation()).isEqualTo("second");
        assertThat(coordinator.status().staleHeartbeats()).isEqualTo(1);
    }

    @Test
    void aReplicaThatAppliedAHigherGenerationRaisesTheCoordinatorsAboveIt() {
        ReplicaDirective d = coordinator.heartbeat("a", Heartbeats.of("a", "ia", 500, "0-7", 10, Map.of(), ""));
        assertThat(d.generation()).isGreaterThan(500);
    }

    @Test
    void drainingMovesEverythingAwayAndLeavesAnEmptyTarget() {
        long prepare = twoReplicasWithAMovePlanned();
        coordinator.heartbeat("a", Heartbeats.of("a", "ia", prepare, "0-7", 10, Map.of(), ""));
        coordinator.drain("a");
        assertThat(coordinator.replicas()).filteredOn(r -> r.id().equals("a")).extracting(r -> r.state()).containsExactly("DRAINING");
        // drive the protocol until a owns nothing
        for (int round = 0; round < 20; round++) {
            ReplicaDirective b = coordinator.directiveFor("b");
            Map<Integer, Long> first = new java.util.TreeMap<>();
            CpuSet bt = parse(b.target(Heartbeats.NODE).targetCpus());
            bt.forEach(c -> first.put(c, 1000L + c));
            coordinator.heartbeat("b", Heartbeats.of("b", "ib", b.generation(), b.target(Heartbeats.NODE).targetCpus(), 10, first, ""));
            ReplicaDirective a = coordinator.directiveFor("a");
            CpuSet owned = parse(a.target(Heartbeats.NODE).targetCpus()).union(CpuSet.EMPTY);
            CpuSet releasing = CpuSet.of(a.target(Heartbeats.NODE).releaseFences().keySet().stream().mapToInt(Integer::intValue).toArray());
            coordinator.heartbeat("a", Heartbeats.of("a", "ia", ReplicaHeartbeatState.DRAINING, a.generation(), owned.minus(releasing), releasing));
            coordinator.tick();
        }
        assertThat(coordinator.directiveFor("a").target(Heartbeats.NODE).targetCpus()).isEmpty();
        assertThat(coordinator.directiveFor("b").target(Heartbeats.NODE).targetCpus()).isEqualTo("0-7");
        assertThat(coordinator.assignment().owners()).containsOnlyKeys("b");
    }

    @Test
    void badHeartbeatsAreRefusedAndChangeNothing() {
        coordinator.heartbeat("a", Heartbeats.empty("a", "ia", 0));
        long generation = coordinator.generation();
        assertThatThrownBy(() -> coordinator.heartbeat("a", Heartbeats.local("a", "ia", 0, "ACTIVE", "0-3,x", 0,
                java.util.List.of(), java.util.List.of(), 0, 0, 0, 0, Map.of(), "")))
                .isInstanceOf(CoordinatorException.InvalidRequest.class).hasMessageContaining("ownedCpus");
        assertThatThrownBy(() -> coordinator.heartbeat("other", Heartbeats.empty("a", "ia", 0)))
                .isInstanceOf(CoordinatorException.InvalidRequest.class).hasMessageContaining("does not match");
        assertThatThrownBy(() -> coordinator.heartbeat("a", Heartbeats.local("a", "ia", 0, "ACTIVE", "0-1", 0,
                java.util.List.of(1.0), java.util.List.of(), 0, 0, 0, 0, Map.of(), "")))
                .isInstanceOf(CoordinatorException.InvalidRequest.class).hasMessageContaining("cpuRates");
        assertThatThrownBy(() -> coordinator.heartbeat("a", Heartbeats.of("a", "ia", 0, "SLEEPING", "", 0, 0, Map.of(), "")))
                .isInstanceOf(CoordinatorException.InvalidRequest.class).hasMessageContaining("state");
        assertThat(coordinator.generation()).isEqualTo(generation);
        assertThat(coordinator.replicas()).hasSize(1);
    }

    @Test
    void aPinMovesExactlyThoseCpusAndBadCpulistsChangeNothing() {
        coordinator.heartbeat("a", Heartbeats.empty("a", "ia", 0));
        coordinator.heartbeat("b", Heartbeats.empty("b", "ib", 0));
        long generation = coordinator.generation();
        var before = coordinator.assignment();
        assertThatThrownBy(() -> coordinator.setMask("b", "0-9")).isInstanceOf(CoordinatorException.InvalidRequest.class).hasMessageContaining("8-9");
        assertThatThrownBy(() -> coordinator.setMask("b", "3-1")).isInstanceOf(CoordinatorException.InvalidRequest.class);
        assertThatThrownBy(() -> coordinator.setMask("zz", "1")).isInstanceOf(CoordinatorException.UnknownReplica.class);
        assertThat(coordinator.assignment()).isEqualTo(before);
        assertThat(coordinator.generation()).isEqualTo(generation);

        var result = coordinator.setMask("b", "2-3");

        assertThat(result.moves()).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo("a");
            assertThat(m.to()).isEqualTo("b");
            assertThat(m.cpus()).isEqualTo("2-3");
        });
        assertThat(coordinator.assignment().targets()).containsEntry("b", "2-3");
        assertThat(coordinator.assignment().handovers()).extracting(HandoverView::phase).containsOnly("PREPARE");
    }

    private static CpuSet parse(String s) {
        try {
            return CpuSet.parse(s);
        } catch (io.tsfleet.protocol.cpu.CpulistParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Heartbeat helper with a state and an explicit owned/released split. */
    private static final class ReplicaHeartbeatState {
        static final String DRAINING = io.tsfleet.protocol.fleet.ReplicaHeartbeat.DRAINING;
    }
}
