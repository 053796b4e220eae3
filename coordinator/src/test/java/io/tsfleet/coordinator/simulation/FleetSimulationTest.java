package io.tsfleet.coordinator.simulation;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class FleetSimulationTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void withoutFaultsNoRecordIsLostOrDuplicatedAndTheFleetSettles(long seed) {
        FleetSimulation sim = new FleetSimulation(seed, FleetSimulation.Faults.NONE);

        sim.run(5 * 60_000, 3 * 60_000);

        assertThat(sim.violations).as("events %s, audit %s", sim.eventCounts, sim.auditTail()).isEmpty();
        assertThat(sim.totalRecords()).isGreaterThan(100_000);
        assertThat(sim.crashTimes).as("no replica had to be killed after failing to drain: %s", sim.notes).isEmpty();
        assertThat(sim.duplicates()).isEmpty();
        assertThat(sim.coordinator.status().cpusMoved()).as("the fleet did rebalance").isPositive();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15})
    void withCrashesRestartsAndALossyNetworkTheInvariantsHold(long seed) {
        FleetSimulation sim = new FleetSimulation(seed, FleetSimulation.Faults.SOME);

        sim.run(5 * 60_000, 3 * 60_000);

        assertThat(sim.violations).as("events %s, audit %s", sim.eventCounts, sim.auditTail()).isEmpty();
    }
}
