package io.tsfleet.coordinator.domain;

import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.ReplicaView;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leases under an exit storm: the machine starves the coordinator and the replicas of CPU for seconds, and a healthy
 * fleet must not be expired for it (lease 10 s, heartbeats every 2 s).
 */
class StormLeaseTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final CoordinatorSettings settings = CoordinatorSettings.defaults(CpuSet.range(0, 3));
    private final Coordinator coordinator = new Coordinator(settings, new StickyBalancedAssignor(), new InMemoryAssignmentStore(), clock);
    private final Duration lease = settings.lease();

    @BeforeEach
    void twoReplicasJoin() {
        for (int i = 0; i < 2; i++) {
            heartbeat("a");
            heartbeat("b");
            coordinator.tick();
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(members()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aCoordinatorThatDidNotRunForLongerThanTheLeaseExpiresNobody() {
        clock.advance(lease.plusSeconds(5));           // nothing ran: no tick, no heartbeat
        coordinator.tick();
        assertThat(members()).containsExactlyInAnyOrder("a", "b");
        assertThat(types()).contains("stalled").doesNotContain("expired");

        // the stall is credited once: replicas that stay silent afterwards expire a lease after it, one at a time
        heartbeat("a");
        tickEverySecondFor(lease.plusSeconds(2), "a");
        assertThat(members()).containsExactlyInAnyOrder("a");
        assertThat(types()).contains("expired");
    }

    @Test
    void aSilenceOfTheWholeFleetGetsOneMoreLeaseAndTheFirstHeartbeatAfterItRestartsEveryLease() {
        tickEverySecondFor(lease.plusSeconds(3));       // the coordinator runs, no replica gets through
        assertThat(members()).containsExactlyInAnyOrder("a", "b");
        assertThat(types()).contains("fleet-silent").doesNotContain("expired");

        heartbeat("a");                                  // a wakes up first; b's heartbeat is a few seconds behind
        tickEverySecondFor(Duration.ofSeconds(5), "a");
        heartbeat("b");
        coordinator.tick();
        assertThat(members()).containsExactlyInAnyOrder("a", "b");
        assertThat(types()).contains("fleet-heard").doesNotContain("expired");
    }

    @Test
    void aFleetSilentForTwoLeasesIsExpired() {
        tickEverySecondFor(lease.multipliedBy(2).plusSeconds(2));
        assertThat(members()).isEmpty();
        assertThat(types()).contains("fleet-silent", "expired");
    }

    @Test
    void oneSilentReplicaOfALiveFleetIsExpiredAfterOneLease() {
        tickEverySecondFor(lease.plusSeconds(2), "a");
        assertThat(members()).containsExactlyInAnyOrder("a");
        assertThat(types()).contains("expired").doesNotContain("fleet-silent", "stalled");
    }

    private void tickEverySecondFor(Duration d, String... heartbeating) {
        for (long s = 0; s < d.toSeconds(); s++) {
            clock.advance(Duration.ofSeconds(1));
            for (String id : heartbeating) heartbeat(id);
            coordinator.tick();
        }
    }

    private void heartbeat(String id) {
        ReplicaDirective d = coordinator.directiveFor(id);
        long generation = d == null ? 0 : d.generation();
        String owned = d == null ? "" : d.target(Heartbeats.NODE).targetCpus();
        coordinator.heartbeat(id, Heartbeats.of(id, "i-" + id, generation, owned, 10, Map.of(), ""));
    }

    private java.util.List<String> members() {
        return coordinator.replicas().stream().map(ReplicaView::id).toList();
    }

    private java.util.List<String> types() {
        return coordinator.audit(1000).stream().map(AuditEvent::type).toList();
    }
}
