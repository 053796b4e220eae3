package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MembershipCapTest {
    private final Membership membership = new Membership();
    private final Instant t0 = Instant.parse("2030-01-01T00:00:00Z");

    private static HeartbeatReport report(long recordsTotal, long lost) {
        return new HeartbeatReport("a", "ia", 1, false, CpuSet.range(0, 1), new int[] {0, 1}, new double[] {1000, 1000},
                new long[] {lost, 0}, 5000, recordsTotal, lost, 0, 0, Map.of(), CpuSet.EMPTY, null, null);
    }

    @Test
    void anOverflowingReplicaIsPlannedWithWhatItDeliveredWhenThatIsBelowItsLoad() {
        Member a = membership.join("a", "ia", t0);
        membership.update(a, report(0, 0), t0);
        membership.update(a, report(700, 5), t0.plus(Duration.ofMillis(500)));   // 1 400 records/s kept while losing
        membership.update(a, report(1400, 9), t0.plus(Duration.ofMillis(1000)));
        assertThat(a.deliveredPerSecond()).isCloseTo(1400, org.assertj.core.data.Offset.offset(1e-6));
        membership.capCapacity(a, 2000, t0.plusSeconds(1)); // its load counts the hot spot at its real rate
        assertThat(a.planningCapacity()).as("what it sustained, not its load, nor its measured 5 000/s").isEqualTo(1400);
    }

    @Test
    void aLoadBelowWhatItDeliveredStaysTheCap() {
        Member a = membership.join("a", "ia", t0);
        membership.update(a, report(0, 0), t0);
        membership.update(a, report(1000, 5), t0.plusSeconds(1));
        membership.capCapacity(a, 600, t0.plusSeconds(1));
        assertThat(a.planningCapacity()).isEqualTo(600);
    }
}
