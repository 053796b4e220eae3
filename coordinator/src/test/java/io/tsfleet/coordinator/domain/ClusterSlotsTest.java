package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.NodeSettings;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.NodeView;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A cluster fleet: the slots are the (node, CPU) pairs of the nodes that announce themselves. Replicas here obey
 * their directives at once (they own what they are told to, report a first sequence number for what they acquire and
 * release what they are fenced off), so the tests see the coordinator's side of the node lifecycle.
 */
class ClusterSlotsTest {
    static final String BOOT_A = "aaaaaaaa-1111-4111-8111-111111111111";
    static final String BOOT_B = "bbbbbbbb-2222-4222-8222-222222222222";
    static final String BOOT_B2 = "cccccccc-3333-4333-8333-333333333333";

    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final InMemoryAssignmentStore store = new InMemoryAssignmentStore();
    final NodeSettings nodeSettings = new NodeSettings(Duration.ofSeconds(30), Duration.ofSeconds(10), 16);
    Coordinator coordinator = new Coordinator(CoordinatorSettings.defaults(CpuSet.EMPTY), nodeSettings, new StickyBalancedAssignor(), store, clock);
    final Map<String, Replica> replicas = new TreeMap<>();

    /** A replica that does what its directive says, one heartbeat later. */
    final class Replica {
        final String id;
        String node;
        long generation;
        final Map<String, CpuSet> owned = new TreeMap<>();
        final Map<String, CpuSet> acquired = new TreeMap<>();
        final Map<String, CpuSet> released = new TreeMap<>();
        final Map<String, String> boots = new TreeMap<>();
        ReplicaDirective last;

        Replica(String id) {
            this.id = id;
        }

        ReplicaHeartbeat heartbeat() {
            List<NodeReport> reports = new ArrayList<>();
            java.util.Set<String> nodes = new java.util.TreeSet<>(owned.keySet());
            nodes.addAll(released.keySet());
            for (String node : nodes) {
                CpuSet mine = owned.getOrDefault(node, CpuSet.EMPTY);
                Map<Integer, Long> firstSeqs = new TreeMap<>();
                acquired.getOrDefault(node, CpuSet.EMPTY).forEach(c -> firstSeqs.put(c, 1000L + c));
                reports.add(new NodeReport(node, boots.get(node), mine.toCpulist(), new ArrayList<>(Collections.nCopies(mine.size(), 5.0)),
                        List.of(), firstSeqs, released.getOrDefault(node, CpuSet.EMPTY).toCpulist()));
            }
            released.clear();
            return new ReplicaHeartbeat(id, "i-" + id, generation, ReplicaHeartbeat.ACTIVE, node, null, 0, 0, 0, 0, 0, reports);
        }

        void beat() {
            ReplicaDirective d = coordinator.heartbeat(id, heartbeat());
            last = d;
            if (d.generation() < generation) return;
            generation = d.generation();
            Map<String, CpuSet> next = new TreeMap<>();
            acquired.clear();
            for (NodeTarget t : d.nodes()) {
                CpuSet target = Heartbeats.cpus(t.targetCpus());
                CpuSet before = owned.getOrDefault(t.node(), CpuSet.EMPTY);
                CpuSet fenced = CpuSet.of(t.releaseFences().keySet().stream().mapToInt(Integer::intValue).toArray());
                CpuSet keep = target.union(before.minus(fenced)); // no fence yet: stays registered
                if (!keep.isEmpty()) next.put(t.node(), keep);
                if (!target.minus(before).isEmpty()) acquired.put(t.node(), target.minus(before));
                if (!fenced.isEmpty()) released.put(t.node(), fenced);
                if (t.bootId() != null) boots.put(t.node(), t.bootId());
            }
            owned.clear();
            owned.putAll(next); // a node the directive does not name is gone: its connections are closed
        }
    }

    void announce(String node, String boot, String cpus) {
        coordinator.announce(Coordinator.parseAnnouncement(node, new NodeAnnouncement(node, boot, cpus, node + ":7411", NodeAnnouncement.ON, null)));
    }

    void rounds(int n) {
        for (int i = 0; i < n; i++) {
            for (String id : new ArrayList<>(replicas.keySet())) replicas.get(id).beat();
            clock.advance(Duration.ofSeconds(1));
            coordinator.tick();
        }
    }

    Replica replica(String id) {
        return replicas.computeIfAbsent(id, Replica::new);
    }

    /** Which replicas own each (node, CPU), from the replicas' side. */
    Map<String, Map<Integer, List<String>>> owners() {
        Map<String, Map<Integer, List<String>>> out = new TreeMap<>();
        replicas.values().forEach(r -> r.owned.forEach((node, cpus) -> cpus.forEach(c ->
                out.computeIfAbsent(node, k -> new TreeMap<>()).computeIfAbsent(c, k -> new ArrayList<>()).add(r.id))));
        return out;
    }

    void assertEverySlotOwnedOnce(Map<String, CpuSet> nodes) {
        Map<String, Map<Integer, List<String>>> owners = owners();
        assertThat(owners.keySet()).containsExactlyInAnyOrderElementsOf(nodes.keySet());
        nodes.forEach((node, cpus) -> {
            assertThat(owners.get(node).keySet()).as("CPUs of %s", node).containsExactlyElementsOf(cpus.stream().boxed().toList());
            owners.get(node).forEach((cpu, ids) -> assertThat(ids).as("owners of %s CPU %d", node, cpu).hasSize(1));
        });
    }

    @Test
    void theSlotsOfEveryAnnouncedNodeAreCoveredAndEachDirectiveNamesTheNodesBroker() {
        replica("r1");
        replica("r2");
        rounds(2);
        assertThat(owners()).as("no node, no slots").isEmpty();
        announce("node-a", BOOT_A, "0-3");
        announce("node-b", BOOT_B, "0-11");
        assertThat(coordinator.nodes()).extracting(NodeView::uncoveredCpus).as("nobody registered yet").containsExactly("0-3", "0-11");
        rounds(8);
        assertEverySlotOwnedOnce(Map.of("node-a", CpuSet.range(0, 3), "node-b", CpuSet.range(0, 11)));
        assertThat(coordinator.nodes()).extracting(NodeView::uncoveredCpus).containsExactly("", "");
        assertThat(coordinator.nodes()).allSatisfy(n -> assertThat(n.slots()).isTrue());
        for (Replica r : replicas.values()) {
            for (NodeTarget t : r.last.nodes()) {
                assertThat(t.broker()).isEqualTo(t.node() + ":7411");
                assertThat(t.bootId()).isEqualTo(t.node().equals("node-a") ? BOOT_A : BOOT_B);
            }
        }
        assertThat(coordinator.assignment().possibleCpus()).isEqualTo("node-a:0-3;node-b:0-11");
        assertThat(coordinator.uncovered().isEmpty()).isTrue();
        assertThat(coordinator.cpu("node-b", 11).node()).isEqualTo("node-b");
        assertThat(coordinator.cpu("node-b", 11).owner()).isIn("r1", "r2");
    }

    @Test
    void aNodesSlotsGoToReplicasOnThatNodeWhenTheyHaveRoom() {
        replica("r-a").node = "node-b"; // not the order in which slots would be handed out without locality
        replica("r-b").node = "node-a";
        rounds(2);
        announce("node-a", BOOT_A, "0-7");
        announce("node-b", BOOT_B, "0-7");
        rounds(8);
        assertEverySlotOwnedOnce(Map.of("node-a", CpuSet.range(0, 7), "node-b", CpuSet.range(0, 7)));
        assertThat(replicas.get("r-a").owned).as("every slot on its own node").containsOnlyKeys("node-b");
        assertThat(replicas.get("r-b").owned).containsOnlyKeys("node-a");
        assertThat(coordinator.replica("r-a").node()).as("where the replica runs, as it says").isEqualTo("node-b");
        assertThat(coordinator.status().slots()).isEqualTo(16);
        assertThat(coordinator.status().crossNodeLoadShare()).as("every exit read on its own node").isZero();
        replicas.get("r-a").node = "node-c";  // r-a now says it runs elsewhere: its half of the load crosses nodes
        rounds(1);
        assertThat(coordinator.status().crossNodeLoadShare()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
        assertThat(coordinator.status().crossZoneLoadShare()).as("no zones known: only the same node counts as the same zone").isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void aNodeThatJoinsLaterIsCoveredWithinAFewSecondsAndMovesNoOtherSlot() {
        replica("r1");
        replica("r2");
        announce("node-a", BOOT_A, "0-7");
        rounds(8);
        Map<Integer, List<String>> before = owners().get("node-a");
        announce("node-b", BOOT_B, "0-3");
        rounds(4);
        assertEverySlotOwnedOnce(Map.of("node-a", CpuSet.range(0, 7), "node-b", CpuSet.range(0, 3)));
        assertThat(owners().get("node-a")).as("node-a's slots stay where they were").isEqualTo(before);
    }

    @Test
    void aNodeThatLeavesTakesItsSlotsAndIsNoLongerInAnyDirective() {
        replica("r1");
        replica("r2");
        announce("node-a", BOOT_A, "0-3");
        announce("node-b", BOOT_B, "0-3");
        rounds(8);
        long generation = coordinator.generation();
        coordinator.withdrawNode("node-b");
        assertThat(coordinator.generation()).as("a new directive").isGreaterThan(generation);
        rounds(3);
        assertEverySlotOwnedOnce(Map.of("node-a", CpuSet.range(0, 3)));
        for (Replica r : replicas.values()) assertThat(r.last.nodes()).extracting(NodeTarget::node).doesNotContain("node-b");
        assertThat(coordinator.assignment().possibleCpus()).isEqualTo("0-3");
        assertThat(coordinator.assignment().owners().values()).allSatisfy(list -> assertThat(list).doesNotContain("node-b"));

        announce("node-c", BOOT_B2, "0-1"); // a new node reuses the freed slot indices, from nothing
        rounds(4);
        assertEverySlotOwnedOnce(Map.of("node-a", CpuSet.range(0, 3), "node-c", CpuSet.range(0, 1)));
    }

    @Test
    void aNodeStaysInTheDirectiveWhileTheReplicaIsStillRegisteredThere() {
        replica("r1");
        announce("node-a", BOOT_A, "0-3");
        announce("node-b", BOOT_B, "0-1");
        rounds(4);
        replica("r2");
        rounds(1);
        coordinator.setMask("r2", "node-b", "0-1"); // r1 leaves node-b: PREPARE, no fence yet
        NodeTarget b = coordinator.directiveFor("r1").nodes().stream().filter(t -> t.node().equals("node-b")).findFirst().orElse(null);
        assertThat(b).as("r1 holds node-b's CPUs until their fences: the node must not look gone").isNotNull();
        assertThat(b.targetCpus()).isEmpty();
        rounds(10);
        assertEverySlotOwnedOnce(Map.of("node-a", CpuSet.range(0, 3), "node-b", CpuSet.range(0, 1)));
        assertThat(owners().get("node-b").values()).allSatisfy(ids -> assertThat(ids).containsExactly("r2"));
        assertThat(coordinator.directiveFor("r1").nodes()).extracting(NodeTarget::node).containsExactly("node-a");
    }

    @Test
    void aNodeWhoseLeaseExpiresIsDropped() {
        replica("r1");
        announce("node-a", BOOT_A, "0-3");
        announce("node-b", BOOT_B, "0-3");
        rounds(4);
        for (int i = 0; i < 31; i++) {
            announce("node-a", BOOT_A, "0-3"); // only node-a keeps its lease
            rounds(1);
        }
        assertThat(coordinator.nodes()).extracting(NodeView::name).containsExactly("node-a");
        assertEverySlotOwnedOnce(Map.of("node-a", CpuSet.range(0, 3)));
    }

    @Test
    void aRebootEndsTheNodesHandoversButKeepsItsOwners() {
        replica("r1");
        announce("node-a", BOOT_A, "0-3");
        rounds(4);
        replica("r2");
        rounds(1);
        coordinator.setMask("r2", "node-a", "0-1"); // handovers of CPUs 0 and 1 towards r2
        assertThat(coordinator.assignment().handovers()).isNotEmpty();
        assertThat(coordinator.assignment().handovers()).allSatisfy(h -> assertThat(h.node()).isEqualTo("node-a"));
        announce("node-a", BOOT_B, "0-3");
        assertThat(coordinator.assignment().handovers()).as("fences of the old boot are void").isEmpty();
        assertThat(coordinator.assignment().releases()).isEmpty();
        assertThat(coordinator.directiveFor("r1").target("node-a").bootId()).isEqualTo(BOOT_B);
        assertThat(coordinator.audit(20)).filteredOn(e -> e.type().equals("node-rebooted")).extracting(AuditEvent::node).containsExactly("node-a");
        rounds(10);
        assertEverySlotOwnedOnce(Map.of("node-a", CpuSet.range(0, 3)));
        assertThat(owners().get("node-a").get(0)).as("the pin is carried out on the new boot").containsExactly("r2");
    }

    @Test
    void aNodeWhereTheReplicaHoldsItsOnlySlotBackForAHandoverStaysInItsDirective() {
        replica("r1");
        announce("node-a", BOOT_A, "0-3");
        announce("node-b", BOOT_B, "0");
        rounds(4);
        replica("r2");
        rounds(1);
        assertThat(coordinator.cpu("node-b", 0).owner()).isEqualTo("r1");
        coordinator.setMask("r2", "node-b", "0"); // node-b's only CPU moves from r1 to r2: PREPARE, r1 holds its records back
        assertThat(coordinator.assignment().handovers()).singleElement().satisfies(h -> assertThat(h.node()).isEqualTo("node-b"));
        NodeTarget held = coordinator.directiveFor("r1").target("node-b");
        assertThat(coordinator.directiveFor("r1").nodes()).as("a node left out would tell r1 to close its connection there and drop what it holds")
                .extracting(NodeTarget::node).contains("node-b");
        assertThat(held.targetCpus()).isEmpty();
        assertThat(held.bootId()).isEqualTo(BOOT_B);
        rounds(6);
        assertThat(coordinator.assignment().handovers()).isEmpty();
        assertThat(owners().get("node-b").get(0)).containsExactly("r2");
        assertThat(coordinator.directiveFor("r1").nodes()).as("once released, the node is left out").extracting(NodeTarget::node)
                .doesNotContain("node-b");
    }

    @Test
    void firstSequenceNumbersOfAnotherBootAreIgnored() {
        replica("r1");
        announce("node-a", BOOT_A, "0-3");
        rounds(4);
        replica("r2");
        rounds(1);
        coordinator.setMask("r2", "node-a", "3");
        Replica r2 = replicas.get("r2");
        r2.boots.put("node-a", BOOT_B); // r2's connections report another boot than the node announced
        for (int i = 0; i < 4; i++) {
            r2.beat();
            coordinator.tick();
        }
        assertThat(coordinator.assignment().handovers()).as("no fence from another boot").isNotEmpty();
        assertThat(coordinator.assignment().releases()).isEmpty();
        r2.boots.put("node-a", BOOT_A);
        rounds(6);
        assertThat(owners().get("node-a").get(3)).containsExactly("r2");
    }

    @Test
    void adminRequestsNameTheNodeOnAFleetOfSeveral() {
        replica("r1");
        announce("node-a", BOOT_A, "0-3");
        rounds(4);
        assertThat(coordinator.cpu(null, 2).node()).as("one node: the node may be left out").isEqualTo("node-a");
        announce("node-b", BOOT_B, "0-3");
        rounds(2);
        assertThatThrownBy(() -> coordinator.setMask("r1", null, "0-1")).isInstanceOf(CoordinatorException.InvalidRequest.class)
                .hasMessageContaining("name the node");
        assertThatThrownBy(() -> coordinator.setMask("r1", "node-x", "0-1")).isInstanceOf(CoordinatorException.InvalidRequest.class)
                .hasMessageContaining("not a node of the fleet");
        assertThatThrownBy(() -> coordinator.setMask("r1", "node-b", "0-4")).isInstanceOf(CoordinatorException.InvalidRequest.class)
                .hasMessageContaining("not possible CPUs of node node-b");
        assertThatThrownBy(() -> coordinator.cpu("node-b", 9)).isInstanceOf(CoordinatorException.InvalidRequest.class);
        coordinator.setMask("r1", "node-b", "0-1");
        assertThat(coordinator.assignment().pins()).containsEntry("r1", "node-b:0-1");
    }

    @Test
    void aCoordinatorThatTakesOverKeepsTheLayoutAndPresumesTheNodesAliveForOneLease() {
        replica("r1");
        replica("r2");
        announce("node-a", BOOT_A, "0-3");
        announce("node-b", BOOT_B, "0-7");
        rounds(8);
        Map<String, String> owners = coordinator.assignment().owners();
        coordinator = new Coordinator(CoordinatorSettings.defaults(CpuSet.EMPTY), nodeSettings, new StickyBalancedAssignor(), store, clock);
        assertThat(coordinator.nodes()).extracting(NodeView::name).containsExactly("node-a", "node-b");
        assertThat(coordinator.assignment().owners()).isEqualTo(owners);
        rounds(3);
        assertEverySlotOwnedOnce(Map.of("node-a", CpuSet.range(0, 3), "node-b", CpuSet.range(0, 7)));
        for (int i = 0; i < 31; i++) {
            announce("node-b", BOOT_B, "0-7");
            rounds(1);
        }
        assertThat(coordinator.nodes()).as("node-a never announced to the new coordinator").extracting(NodeView::name).containsExactly("node-b");
        assertEverySlotOwnedOnce(Map.of("node-b", CpuSet.range(0, 7)));
    }

    @Test
    void reportsOfUnknownNodesAreIgnoredAndANodeReportedTwiceIsRefused() {
        replica("r1");
        announce("node-a", BOOT_A, "0-3");
        rounds(3);
        ReplicaHeartbeat twice = new ReplicaHeartbeat("r1", "i-r1", coordinator.generation(), ReplicaHeartbeat.ACTIVE, null, null, 0, 0, 0, 0, 0,
                List.of(new NodeReport("node-a", null, "", List.of(), List.of(), Map.of(), ""),
                        new NodeReport("node-a", null, "", List.of(), List.of(), Map.of(), "")));
        assertThatThrownBy(() -> coordinator.heartbeat("r1", twice)).isInstanceOf(CoordinatorException.InvalidRequest.class)
                .hasMessageContaining("reported twice");
        ReplicaHeartbeat unknown = new ReplicaHeartbeat("r1", "i-r1", coordinator.generation(), ReplicaHeartbeat.ACTIVE, null, null, 0, 0, 0, 0, 0,
                List.of(new NodeReport("node-gone", null, "0-3", List.of(1.0, 1.0, 1.0, 1.0), List.of(), Map.of(0, 5L), "")));
        coordinator.heartbeat("r1", unknown);
        assertThat(coordinator.replica("r1").ownedCpus()).isEmpty();
    }
}
