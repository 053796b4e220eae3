package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.coordinator.domain.view.RebalanceResult;
import io.tsfleet.planner.PlanningMode;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PlanMakerTest {
    private final CoreFixture core = new CoreFixture();

    /** a owns 0-7 and reports its loads; b joined. */
    private void twoReplicasOnAllCpusOfA() {
        core.heartbeat(Heartbeats.empty("a", "ia", 0));
        core.plans.plan(RebalanceTrigger.MEMBERSHIP, PlanningMode.COVERAGE_ONLY, core.clock.instant(), core.effects);
        core.reconciler.startHandovers(core.clock.instant());
        core.generations.commit();
        core.heartbeat(Heartbeats.of("a", "ia", core.generations.current(), "0-7", 10, Map.of(), ""));
        core.heartbeat(Heartbeats.empty("b", "ib", 0));
        core.effects.drain();
    }

    @Test
    void aFullPlanMovesHalfTheCpusAndIsAuditedAndCountedByItsTrigger() {
        twoReplicasOnAllCpusOfA();

        RebalanceResult r = core.plans.plan(RebalanceTrigger.ADMIN, PlanningMode.FULL, core.clock.instant(), core.effects);

        assertThat(r.applied()).isTrue();
        assertThat(r.movedCpus()).isEqualTo(4);
        Effects.Drained fx = core.effects.drain();
        assertThat(fx.counts().get(FleetCounter.REBALANCES_ADMIN)).isEqualTo(1);
        assertThat(fx.events()).singleElement().satisfies(e -> {
            FleetEvent.PlanMade p = (FleetEvent.PlanMade) e.event();
            assertThat(p.trigger()).isEqualTo(RebalanceTrigger.ADMIN);
            assertThat(p.moves()).isEqualTo(4);
            assertThat(e.generation()).as("stamped with the plan's new generation").isEqualTo(core.generations.current());
        });
    }

    @Test
    void aMembershipPlanThatChangesNoTargetIsNeitherAuditedNorCounted() {
        twoReplicasOnAllCpusOfA();
        core.plans.plan(RebalanceTrigger.ADMIN, PlanningMode.FULL, core.clock.instant(), core.effects);
        core.effects.drain();

        core.plans.plan(RebalanceTrigger.MEMBERSHIP, PlanningMode.FULL, core.clock.instant(), core.effects);

        assertThat(core.effects.drain().isEmpty()).isTrue();
    }

    @Test
    void aLoadDrivenPlanThatMovesNothingIsSkippedAuditedAndCounted() {
        core.heartbeat(Heartbeats.of("a", "ia", 0, "0-7", 10, Map.of(), ""));
        core.plans.plan(RebalanceTrigger.MEMBERSHIP, PlanningMode.FULL, core.clock.instant(), core.effects);
        core.effects.drain();

        boolean applied = core.plans.planIfItHelps(RebalanceTrigger.IMBALANCE, core.clock.instant(), core.effects);

        assertThat(applied).isFalse();
        Effects.Drained fx = core.effects.drain();
        assertThat(fx.counts().get(FleetCounter.REBALANCES_SKIPPED)).isEqualTo(1);
        assertThat(fx.counts().get(FleetCounter.REBALANCES_IMBALANCE)).isZero();
        assertThat(fx.events()).extracting(Effects.Stamped::event).singleElement()
                .isInstanceOfSatisfying(FleetEvent.RebalanceSkipped.class, s -> assertThat(s.movesNothing()).isTrue());
    }

    @Test
    void aTickPlansCoverageForACpuWithoutAnOwner() {
        core.heartbeat(Heartbeats.empty("a", "ia", 0));
        core.effects.drain();
        assertThat(core.triggers.needsCoverage()).isTrue();

        core.triggers.planOnTick(false, core.clock.instant(), core.effects);

        assertThat(core.triggers.needsCoverage()).isFalse();
        assertThat(core.table.targetMasks()).containsEntry("a", Heartbeats.cpus("0-7"));
        assertThat(core.effects.drain().counts().get(FleetCounter.REBALANCES_MEMBERSHIP)).isEqualTo(1);
    }
}
