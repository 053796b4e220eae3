package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The node registry with a manual clock: join, renewal, reboot, expiry, withdrawal and the node limit. */
class NodeRegistryTest {
    static final String BOOT_A = "11111111-1111-4111-8111-111111111111";
    static final String BOOT_B = "22222222-2222-4222-8222-222222222222";

    final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T06:00:00Z"));
    final NodeRegistry registry = new NodeRegistry(clock, new NodeSettings(Duration.ofSeconds(30), Duration.ofSeconds(10), 2));
    final Journal journal = new Journal();

    /** Records what the registry reports, in order. */
    static final class Journal implements NodeJournal {
        final List<String> lines = new ArrayList<>();

        @Override
        public void nodeJoined(AnnouncedNode node) {
            lines.add("joined " + node.name() + " " + node.bootId());
        }

        @Override
        public void nodeRebooted(AnnouncedNode node, String previousBootId) {
            lines.add("rebooted " + node.name() + " " + previousBootId + " -> " + node.bootId());
        }

        @Override
        public void nodeExpired(String name, String bootId, Duration lease) {
            lines.add("expired " + name + " after " + lease.toSeconds() + "s");
        }

        @Override
        public void nodeLeft(String name, String bootId) {
            lines.add("left " + name);
        }

        @Override
        public void nodeRefusedAtLimit(String name, int limit) {
            lines.add("refused " + name + " at " + limit);
        }
    }

    static AnnouncedNode node(String name, String boot) {
        return new AnnouncedNode(name, boot, CpuSet.range(0, 7), name + ":7411", "on", null);
    }

    @Test
    void aNewNodeJoinsAndHoldsALeaseFromItsAnnouncement() {
        assertThat(registry.announce(node("worker-1", BOOT_A), journal)).isEqualTo(NodeRegistry.Announced.JOINED);
        LiveNode n = registry.nodes().getFirst();
        assertThat(n.joinedAt()).isEqualTo(clock.instant());
        assertThat(n.leaseExpiresAt()).isEqualTo(clock.instant().plusSeconds(30));
        assertThat(journal.lines).containsExactly("joined worker-1 " + BOOT_A);
    }

    @Test
    void anAnnouncementOfTheSameBootRenewsTheLeaseQuietly() {
        registry.announce(node("worker-1", BOOT_A), journal);
        Instant joined = clock.instant();
        clock.advance(Duration.ofSeconds(25));
        assertThat(registry.announce(node("worker-1", BOOT_A), journal)).isEqualTo(NodeRegistry.Announced.RENEWED);
        clock.advance(Duration.ofSeconds(25));
        assertThat(registry.expire(journal)).isEmpty();
        LiveNode n = registry.nodes().getFirst();
        assertThat(n.joinedAt()).isEqualTo(joined);
        assertThat(n.lastSeen()).isEqualTo(joined.plusSeconds(25));
        assertThat(n.leaseExpiresAt()).isEqualTo(joined.plusSeconds(55));
        assertThat(journal.lines).containsExactly("joined worker-1 " + BOOT_A);
    }

    @Test
    void anotherBootIdOfAKnownNodeIsAReboot() {
        registry.announce(node("worker-1", BOOT_A), journal);
        clock.advance(Duration.ofSeconds(5));
        assertThat(registry.announce(node("worker-1", BOOT_B), journal)).isEqualTo(NodeRegistry.Announced.REBOOTED);
        assertThat(registry.size()).isEqualTo(1);
        LiveNode n = registry.nodes().getFirst();
        assertThat(n.announced().bootId()).isEqualTo(BOOT_B);
        assertThat(n.joinedAt()).as("the new boot joined now").isEqualTo(clock.instant());
        assertThat(journal.lines).containsExactly("joined worker-1 " + BOOT_A, "rebooted worker-1 " + BOOT_A + " -> " + BOOT_B);
    }

    @Test
    void aSilentNodeExpiresExactlyAtTheEndOfItsLease() {
        registry.announce(node("worker-1", BOOT_A), journal);
        clock.advance(Duration.ofSeconds(10));
        registry.announce(node("worker-2", BOOT_B), journal);
        clock.advance(Duration.ofSeconds(20).minusMillis(1));
        assertThat(registry.expire(journal)).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(registry.expire(journal)).hasSize(1);
        assertThat(registry.nodes()).extracting(LiveNode::name).containsExactly("worker-2");
        assertThat(journal.lines).endsWith("expired worker-1 after 30s");
    }

    @Test
    void aWithdrawnNodeLeavesAtOnceAndAnUnknownOneChangesNothing() {
        registry.announce(node("worker-1", BOOT_A), journal);
        assertThat(registry.withdraw("worker-1", journal)).isTrue();
        assertThat(registry.nodes()).isEmpty();
        assertThat(registry.withdraw("worker-1", journal)).isFalse();
        assertThat(journal.lines).containsExactly("joined worker-1 " + BOOT_A, "left worker-1");
    }

    @Test
    void beyondTheLimitANewNodeIsRefusedButKnownNodesStillRenewAndReboot() {
        registry.announce(node("worker-1", BOOT_A), journal);
        registry.announce(node("worker-2", BOOT_A), journal);
        assertThat(registry.announce(node("worker-3", BOOT_A), journal)).isEqualTo(NodeRegistry.Announced.REFUSED_AT_LIMIT);
        assertThat(registry.nodes()).extracting(LiveNode::name).containsExactly("worker-1", "worker-2");
        assertThat(registry.announce(node("worker-2", BOOT_A), journal)).isEqualTo(NodeRegistry.Announced.RENEWED);
        assertThat(registry.announce(node("worker-2", BOOT_B), journal)).isEqualTo(NodeRegistry.Announced.REBOOTED);
        registry.withdraw("worker-1", journal);
        assertThat(registry.announce(node("worker-3", BOOT_A), journal)).as("room again").isEqualTo(NodeRegistry.Announced.JOINED);
        assertThat(journal.lines).contains("refused worker-3 at 2");
    }

    @Test
    void nodesAreListedByName() {
        registry.announce(node("worker-b", BOOT_A), journal);
        registry.announce(node("worker-a", BOOT_A), journal);
        assertThat(registry.nodes()).extracting(LiveNode::name).containsExactly("worker-a", "worker-b");
    }
}
