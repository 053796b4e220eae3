package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.fleet.NodeSettings;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.NodeView;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.protocol.fleet.NodeLease;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Node leases through the coordinator: every join, reboot, expiry and withdrawal is audited with its own type and
 * counted; the tick expires silent nodes; bad announcements are refused and change nothing; nodes survive a coordinator
 * recovered after a failed persist.
 */
class NodeLeasesTest {
    static final String BOOT_A = "aaaaaaaa-1111-4111-8111-111111111111";
    static final String BOOT_B = "bbbbbbbb-2222-4222-8222-222222222222";

    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final Coordinator coordinator = new Coordinator(CoordinatorSettings.defaults(CpuSet.range(0, 7)),
            new NodeSettings(Duration.ofSeconds(30), Duration.ofSeconds(10), 2), new StickyBalancedAssignor(), new InMemoryAssignmentStore(), clock);

    static NodeAnnouncement announcement(String name, String boot) {
        return new NodeAnnouncement(name, boot, "0-15", name + ":7411", NodeAnnouncement.OFF, null);
    }

    NodeLease announce(String name, String boot) {
        return coordinator.announce(Coordinator.parseAnnouncement(name, announcement(name, boot)));
    }

    List<String> auditTypes() {
        return coordinator.audit(100).stream().map(AuditEvent::type).filter(t -> t.startsWith("node-")).toList();
    }

    @Test
    void timeInWhichTheCoordinatorDidNotRunDoesNotExpireANode() {
        announce("worker-1", BOOT_A);
        coordinator.tick();
        clock.advance(Duration.ofSeconds(45));     // the coordinator was starved, longer than a node lease
        coordinator.tick();
        assertThat(coordinator.nodes()).extracting(NodeView::name).as("the stall is credited").containsExactly("worker-1");
        assertThat(auditTypes()).doesNotContain("node-expired");
        ticksOfOneSecond(29);                       // the coordinator runs again, and the node says nothing
        assertThat(coordinator.nodes()).as("still within one lease of the stall's end").hasSize(1);
        ticksOfOneSecond(1);
        assertThat(coordinator.nodes()).as("a lease after the stall's end").isEmpty();
        assertThat(auditTypes()).contains("node-expired");
    }

    void ticksOfOneSecond(int n) {
        for (int i = 0; i < n; i++) {
            clock.advance(Duration.ofSeconds(1));
            coordinator.tick();
        }
    }

    @Test
    void joinRenewRebootExpireAndLeaveAreAuditedAndCounted() {
        NodeLease lease = announce("worker-1", BOOT_A);
        assertThat(lease).isEqualTo(new NodeLease(30_000, 10_000));
        announce("worker-1", BOOT_A);
        announce("worker-1", BOOT_B);
        announce("worker-2", BOOT_A);
        assertThat(coordinator.nodes()).extracting(NodeView::name, NodeView::bootId, NodeView::possibleCpus, NodeView::broker, NodeView::delayAccounting)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("worker-1", BOOT_B, "0-15", "worker-1:7411", "off"),
                        org.assertj.core.groups.Tuple.tuple("worker-2", BOOT_A, "0-15", "worker-2:7411", "off"));

        ticksOfOneSecond(20);                       // the coordinator ticks every second, as it runs
        announce("worker-2", BOOT_A);
        ticksOfOneSecond(10);
        assertThat(coordinator.nodes()).extracting(NodeView::name).containsExactly("worker-2");
        assertThat(coordinator.withdrawNode("worker-2")).isTrue();
        assertThat(coordinator.nodes()).isEmpty();

        assertThat(auditTypes()).as("newest first").containsExactly("node-left", "node-expired", "node-joined", "node-rebooted", "node-joined");
        AuditEvent reboot = coordinator.audit(100).stream().filter(e -> e.type().equals("node-rebooted")).findFirst().orElseThrow();
        assertThat(reboot.message()).isEqualTo("node worker-1 rebooted: boot " + BOOT_A + " -> " + BOOT_B
                + "; its per-CPU sequences start anew (not a loss)");
        assertThat(coordinator.counts().get(FleetCounter.NODES_JOINED)).isEqualTo(2);
        assertThat(coordinator.counts().get(FleetCounter.NODE_REBOOTS)).isEqualTo(1);
        assertThat(coordinator.counts().get(FleetCounter.NODE_EXPIRIES)).isEqualTo(1);
        assertThat(coordinator.counts().get(FleetCounter.NODES_LEFT)).isEqualTo(1);
    }

    @Test
    void oneNodeMoreThanTheLimitIsAConflictThatChangesNothingButACounter() {
        announce("worker-1", BOOT_A);
        announce("worker-2", BOOT_A);
        List<AuditEvent> before = coordinator.audit(100);
        assertThatThrownBy(() -> announce("worker-3", BOOT_A)).isInstanceOf(CoordinatorException.Conflict.class)
                .hasMessageContaining("the limit (tsfleet.coordinator.nodes.max-nodes) is 2");
        assertThat(coordinator.nodes()).extracting(NodeView::name).containsExactly("worker-1", "worker-2");
        assertThat(coordinator.audit(100)).isEqualTo(before);
        assertThat(coordinator.counts().get(FleetCounter.NODE_ANNOUNCEMENTS_REFUSED_NODE_LIMIT)).isEqualTo(1);
    }

    @Test
    void badAnnouncementsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Coordinator.parseAnnouncement("worker-2", announcement("worker-1", BOOT_A)))
                .isInstanceOf(CoordinatorException.InvalidRequest.class).hasMessageContaining("does not match the path's node 'worker-2'");
        assertThatThrownBy(() -> Coordinator.parseAnnouncement("Worker_1", announcement("Worker_1", BOOT_A)))
                .hasMessageContaining("DNS subdomain");
        assertThatThrownBy(() -> Coordinator.parseAnnouncement("w", new NodeAnnouncement("w", "not-a-uuid", "0-3", "w:1", "on", null)))
                .hasMessageContaining("bootId must be a UUID");
        assertThatThrownBy(() -> Coordinator.parseAnnouncement("w", new NodeAnnouncement("w", BOOT_A, "0-3,x", "w:1", "on", null)))
                .hasMessageContaining("possibleCpus '0-3,x' is not a valid cpulist");
        assertThatThrownBy(() -> Coordinator.parseAnnouncement("w", new NodeAnnouncement("w", BOOT_A, "0-8192", "w:1", "on", null)))
                .hasMessageContaining("is not a valid cpulist of at most 8192 CPUs");
        assertThatThrownBy(() -> Coordinator.parseAnnouncement("w", new NodeAnnouncement("w", BOOT_A, "0-3", "w", "on", null)))
                .hasMessageContaining("advertisedBroker");
        assertThatThrownBy(() -> Coordinator.parseAnnouncement("w", new NodeAnnouncement("w", BOOT_A, "0-3", "w:70000", "on", null)))
                .hasMessageContaining("advertisedBroker");
        assertThatThrownBy(() -> Coordinator.parseAnnouncement("w", new NodeAnnouncement("w", BOOT_A, "0-3", "http://evil/x:80", "on", null)))
                .hasMessageContaining("is not host:port");
        assertThatThrownBy(() -> Coordinator.parseAnnouncement("w", new NodeAnnouncement("w", BOOT_A, "0-3", "w:1", "maybe", null)))
                .hasMessageContaining("delayAccounting must be 'on', 'off' or 'unknown'");
        assertThat(Coordinator.parseAnnouncement("w", new NodeAnnouncement("w", BOOT_A.toUpperCase(), "0-3", "[::1]:7411", "unknown", null)).bootId())
                .as("the boot id in canonical form").isEqualTo(BOOT_A);
    }

    @Test
    void nodesSurviveACoordinatorRecoveredAfterAFailedPersist() {
        announce("worker-1", BOOT_A);
        Coordinator recovered = Coordinator.recover(coordinator);
        assertThat(recovered.nodes()).extracting(NodeView::name).containsExactly("worker-1");
    }
}
