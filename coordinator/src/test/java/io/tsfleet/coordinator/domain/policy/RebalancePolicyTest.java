package io.tsfleet.coordinator.domain.policy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RebalancePolicyTest {
    private final PolicySettings settings = PolicySettings.DEFAULTS; // 1.10, sustain 60 s, overflow 10 s, cooldown 120 s
    private final RebalancePolicy policy = new RebalancePolicy(settings);
    private final Instant t0 = Instant.parse("2030-01-01T00:00:00Z");

    private static FleetObservation imbalance(double ratio, double floor) {
        return new FleetObservation(ratio, floor, Set.of(), Set.of(), false);
    }

    @Test
    void imbalanceMustBeSustainedBeforeItTriggers() {
        assertThat(policy.evaluate(imbalance(1.5, 1.0), t0)).isEmpty();
        assertThat(policy.evaluate(imbalance(1.5, 1.0), t0.plusSeconds(59))).isEmpty();
        assertThat(policy.evaluate(imbalance(1.5, 1.0), t0.plusSeconds(60))).contains(RebalanceTrigger.IMBALANCE);
    }

    @Test
    void aBriefDipBelowTheThresholdRestartsTheSustainWindow() {
        policy.evaluate(imbalance(1.5, 1.0), t0);
        policy.evaluate(imbalance(1.05, 1.0), t0.plusSeconds(30));
        assertThat(policy.evaluate(imbalance(1.5, 1.0), t0.plusSeconds(61))).isEmpty();   // the window restarts here
        assertThat(policy.evaluate(imbalance(1.5, 1.0), t0.plusSeconds(120))).isEmpty();
        assertThat(policy.evaluate(imbalance(1.5, 1.0), t0.plusSeconds(121))).contains(RebalanceTrigger.IMBALANCE);
    }

    @Test
    void imbalanceAtThePhysicalFloorNeverTriggers() {
        // one hot CPU makes 3.0 the best possible ratio: 3.2 is within 1.10 x floor
        for (int s = 0; s < 600; s += 10) assertThat(policy.evaluate(imbalance(3.2, 3.0), t0.plusSeconds(s))).isEmpty();
    }

    @Test
    void afterALoadRebalanceTheCooldownHoldsOffTheNextOne() {
        policy.evaluate(imbalance(1.5, 1.0), t0);
        assertThat(policy.evaluate(imbalance(1.5, 1.0), t0.plusSeconds(60))).isPresent();
        policy.loadRebalanceDone(t0.plusSeconds(60));
        assertThat(policy.evaluate(new FleetObservation(1.5, 1.0, Set.of("r1"), Set.of(), false), t0.plusSeconds(170))).isEmpty();
        assertThat(policy.evaluate(new FleetObservation(1.5, 1.0, Set.of("r1"), Set.of(), false), t0.plusSeconds(180))).contains(RebalanceTrigger.OVERFLOW);
    }

    @Test
    void anOverflowThatOutlastsAnAppliedOverflowPlanIsPlannedForAgainWithinTheCooldown() {
        FleetObservation overflowing = new FleetObservation(1.5, 1.0, Set.of("r1"), Set.of(), false);
        FleetObservation reconciling = new FleetObservation(1.5, 1.0, Set.of("r1"), Set.of(), true);
        assertThat(policy.evaluate(overflowing, t0)).contains(RebalanceTrigger.OVERFLOW);
        policy.loadRebalanceDone(t0, true);
        assertThat(policy.evaluate(reconciling, t0.plusSeconds(1))).isEmpty();
        assertThat(policy.evaluate(reconciling, t0.plusSeconds(4))).isEmpty();
        // the handovers are done at 5 s; the loss must go on for the sustain window (10 s) after that
        assertThat(policy.evaluate(overflowing, t0.plusSeconds(5))).isEmpty();
        assertThat(policy.evaluate(overflowing, t0.plusSeconds(14))).isEmpty();
        assertThat(policy.evaluate(overflowing, t0.plusSeconds(15))).contains(RebalanceTrigger.OVERFLOW);
        // a retry that would not help (not applied) ends the exception: the cooldown holds again
        policy.loadRebalanceDone(t0.plusSeconds(15), false);
        assertThat(policy.evaluate(overflowing, t0.plusSeconds(40))).isEmpty();
        assertThat(policy.evaluate(overflowing, t0.plusSeconds(134))).isEmpty();
        assertThat(policy.evaluate(overflowing, t0.plusSeconds(135))).contains(RebalanceTrigger.OVERFLOW);
    }

    @Test
    void anImbalanceOrACapacityExcessStillWaitsForTheCooldownAfterAnOverflowPlan() {
        assertThat(policy.evaluate(new FleetObservation(1.5, 1.0, Set.of("r1"), Set.of(), false), t0)).contains(RebalanceTrigger.OVERFLOW);
        policy.loadRebalanceDone(t0, true);
        for (int s = 1; s < 120; s += 5) {
            assertThat(policy.evaluate(new FleetObservation(1.5, 1.0, Set.of(), Set.of("r1"), false), t0.plusSeconds(s))).isEmpty();
        }
    }

    @Test
    void nothingTriggersWhileThePreviousPlanIsStillBeingReconciled() {
        policy.evaluate(imbalance(1.5, 1.0), t0);
        assertThat(policy.evaluate(new FleetObservation(1.5, 1.0, Set.of("r1"), Set.of("r1"), true), t0.plus(Duration.ofMinutes(5)))).isEmpty();
        assertThat(policy.evaluate(new FleetObservation(1.5, 1.0, Set.of("r1"), Set.of("r1"), false), t0.plus(Duration.ofMinutes(5)))).contains(RebalanceTrigger.OVERFLOW);
    }

    @Test
    void aReplicaAboveItsHeadroomTriggersACapacityRebalanceOnceSustained() {
        FleetObservation over = new FleetObservation(1.0, 1.0, Set.of(), Set.of("r1"), false);
        assertThat(policy.evaluate(over, t0)).isEmpty();
        assertThat(policy.evaluate(over, t0.plusSeconds(60))).contains(RebalanceTrigger.CAPACITY);
    }
}
