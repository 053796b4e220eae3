package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.planner.PlannerSettings;
import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class FleetLoadTest {
    private final Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
    private final CpuTable table = new CpuTable(CpuSet.range(0, 3));
    private final Membership membership = new Membership();
    private final LoadTracker loads = new LoadTracker(4, Duration.ofSeconds(10));
    private final FleetLoad fleet = new FleetLoad(table, membership, loads, PlannerSettings.DEFAULTS);

    private void own(String id, int... cpus) {
        for (int c : cpus) table.owner(c, id);
    }

    @Test
    void loadsImbalanceAndFloorOfTheActiveReplicas() {
        membership.join("a", "ia", t0);
        membership.join("b", "ib", t0);
        Member c = membership.join("c", "ic", t0);
        own("a", 0, 1);
        own("b", 2);
        own("c", 3);
        double[] perCpu = {100, 300, 200, 1000};
        for (int cpu = 0; cpu < 4; cpu++) loads.restore(cpu, perCpu[cpu], t0);

        assertThat(fleet.replicaLoad("a")).isEqualTo(400);
        assertThat(fleet.cpuLoads()).containsExactly(100, 300, 200, 1000);
        assertThat(fleet.imbalance()).as("1000 over the mean of 400, 200, 1000").isCloseTo(1000 / (1600 / 3.0), offset(1e-9));

        membership.drain(c);
        assertThat(fleet.activeLoads()).as("a draining replica is no place for load").isEqualTo(Map.of("a", 400.0, "b", 200.0));
        assertThat(fleet.activeReplicas()).isEqualTo(2);
        assertThat(fleet.imbalance()).isCloseTo(400 / 300.0, offset(1e-9));
        assertThat(fleet.floor()).as("the 1000/s CPU alone is over 2 x 1600 / 2").isCloseTo(1000 * 2 / 1600.0, offset(1e-9));
    }

    @Test
    void withoutMeasuredCapacitiesNoCpuIsHot() {
        membership.join("a", "ia", t0);
        own("a", 0, 1, 2, 3);
        loads.restore(0, 1e9, t0);
        assertThat(fleet.hotLimit()).isInfinite();
        assertThat(fleet.hotCpus().isEmpty()).isTrue();
        assertThat(fleet.overHeadroom()).isEmpty();
    }
}
