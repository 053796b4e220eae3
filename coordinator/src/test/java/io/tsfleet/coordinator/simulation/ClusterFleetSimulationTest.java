package io.tsfleet.coordinator.simulation;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulation of a cluster fleet: 8 to 24 nodes of 4 to 64 CPUs that join, leave, go silent, crash and reboot, and
 * replicas that hold slots on many of them, with the invariants of {@link FleetSimulation} per (node, boot, CPU).
 */
class ClusterFleetSimulationTest {
    static final FleetSimulation.Cluster CHURN = new FleetSimulation.Cluster(12, 8, 24, 4);

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23})
    void withNodeChurnButNoFaultsEveryExitOfALiveNodeIsKeptExactlyOnce(long seed) {
        FleetSimulation sim = new FleetSimulation(seed, FleetSimulation.Faults.NONE, CHURN);

        sim.run(5 * 60_000, 3 * 60_000);

        assertThat(sim.violations).as("events %s, audit %s", sim.eventCounts, sim.auditTail()).isEmpty();
        assertThat(sim.totalRecords()).isGreaterThan(100_000);
        assertThat(sim.crashTimes).as("no replica had to be killed after failing to drain: %s", sim.notes).isEmpty();
        assertThat(sim.maxFleetNodes).as("many nodes at once").isGreaterThanOrEqualTo(12);
        assertThat(sim.nodesJoinedSeen).as("nodes joined after the start").isGreaterThan(12);
        assertThat(sim.nodesLeftSeen).as("nodes left").isPositive();
        assertThat(sim.rebootsSeen).as("nodes rebooted").isPositive();
        assertThat(sim.coordinator.status().cpusMoved()).as("the fleet did rebalance").isPositive();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {31, 32, 33, 34})
    void withNodeChurnCrashesRestartsAndALossyNetworkTheInvariantsHold(long seed) {
        FleetSimulation sim = new FleetSimulation(seed, FleetSimulation.Faults.SOME, CHURN);

        sim.run(5 * 60_000, 3 * 60_000);

        assertThat(sim.violations).as("events %s, audit %s", sim.eventCounts, sim.auditTail()).isEmpty();
        assertThat(sim.nodesLeftSeen).as("nodes left").isPositive();
    }
}
