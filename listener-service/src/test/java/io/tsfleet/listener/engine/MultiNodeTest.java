package io.tsfleet.listener.engine;

import io.tsfleet.listener.testing.CollectingSink.Rec;
import io.tsfleet.listener.testing.TestReplica;
import io.tsfleet.listener.testing.Wire;
import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica holding slots of two nodes, each node a real TCP {@link FakeBroker} that reports its node name: the
 * replica dials the broker the directive names for each node, counts per (node, CPU), drops a node that leaves the
 * directive, refuses a broker that serves another node, survives a node reboot without counting loss, and hands a CPU
 * of the second node over to another replica with its fence.
 */
class MultiNodeTest {
    private static final String W1 = "worker-1";
    private static final String W2 = "worker-2";

    private FakeBroker node1;
    private FakeBroker node2;
    private TestReplica replica;
    private final List<TestReplica> others = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        node1 = new FakeBroker(null, 8).node(W1).start();
        node2 = new FakeBroker(null, 8).node(W2).start();
        replica = TestReplica.withoutBroker();
    }

    @AfterEach
    void stop() throws Exception {
        replica.close();
        for (TestReplica r : others) r.close();
        node1.close();
        node2.close();
    }

    private static NodeTarget target(FakeBroker broker, String node, String cpus, Map<Integer, Long> fences) {
        return new NodeTarget(node, broker.bootId(), broker.address(), cpus, fences);
    }

    private static ReplicaDirective directive(long generation, NodeTarget... nodes) {
        return new ReplicaDirective(generation, List.of(nodes), 100, 5000);
    }

    private static NodeReport report(TestReplica r, String node) {
        return Wire.report(r.engine.heartbeat("r", "i"), node);
    }

    private static Set<String> keys(TestReplica r) {
        return r.sink.records().stream().map(x -> x.node() + "/" + x.cpu() + "/" + x.seq()).collect(Collectors.toSet());
    }

    @Test
    void aDirectiveWithTwoNodesConnectsToBothAndCountsPerNodeAndCpu() throws Exception {
        replica.engine.apply(directive(1, target(node1, W1, "0-1", Map.of()), target(node2, W2, "1-2", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        assertThat(node1.cpusWithListeners()).containsExactly(0, 1);
        assertThat(node2.cpusWithListeners()).containsExactly(1, 2);

        Set<String> emitted = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            emitted.add(W1 + "/0/" + node1.exit(0, 100 + i, "a", false));
            emitted.add(W1 + "/1/" + node1.exit(1, 200 + i, "b", false));
            emitted.add(W2 + "/1/" + node2.exit(1, 300 + i, "c", false));
        }
        for (int i = 0; i < 7; i++) emitted.add(W2 + "/2/" + node2.exit(2, 400 + i, "d", false));
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == emitted.size());

        assertThat(keys(replica)).isEqualTo(emitted);
        assertThat(replica.sink.records()).filteredOn(r -> r.node().equals(W2)).allMatch(r -> r.bootId().equals(node2.bootId()));
        assertThat(replica.engine.cpu(W1, 1).orElseThrow().ledger().records()).isEqualTo(20);
        assertThat(replica.engine.cpu(W2, 1).orElseThrow().ledger().records()).isEqualTo(20);
        assertThat(replica.engine.cpu(W2, 2).orElseThrow().ledger().records()).isEqualTo(7);
        assertThat(replica.engine.node(W1).orElseThrow().records()).isEqualTo(40);
        assertThat(replica.engine.node(W2).orElseThrow().records()).isEqualTo(27);
        assertThat(replica.totals.records.sum()).isEqualTo(67);
        assertThat(replica.totals.lost.sum()).isZero();

        NodeReport r1 = report(replica, W1);
        NodeReport r2 = report(replica, W2);
        assertThat(r1.ownedCpus()).isEqualTo("0-1");
        assertThat(r1.bootId()).isEqualTo(node1.bootId());
        assertThat(r2.ownedCpus()).isEqualTo("1-2");
        assertThat(r2.bootId()).isEqualTo(node2.bootId());
        assertThat(r2.firstSeqs()).containsOnlyKeys(1, 2);

        // a gap on (worker-2, 1) is that slot's loss only
        node2.dropNext(1, 3); // the next 3 exits of the CPU are sequenced and dropped
        for (int i = 0; i < 4; i++) node2.exit(1, 990 + i, "c", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.totals.lost.sum() == 3);
        assertThat(replica.engine.cpu(W2, 1).orElseThrow().ledger().lost()).isEqualTo(3);
        assertThat(replica.engine.cpu(W1, 1).orElseThrow().ledger().lost()).isZero();
        assertThat(report(replica, W2).cpuLost()).containsExactly(3L, 0L);
        assertThat(report(replica, W1).cpuLost()).containsExactly(0L, 0L);
    }

    @Test
    void aNodeDroppedFromTheDirectiveIsClosedAtOnceAndNothingIsCountedAsLoss() throws Exception {
        replica.engine.apply(directive(1, target(node1, W1, "0", Map.of()), target(node2, W2, "0-3", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        for (int i = 0; i < 5; i++) node2.exit(2, 10 + i, "x", false);
        // CPU 3 of worker-2 leaves the replica's target (a handover, no fence yet): its records are held back
        replica.engine.apply(directive(2, target(node1, W1, "0", Map.of()), target(node2, W2, "0-2", Map.of())));
        for (int i = 0; i < 4; i++) node2.exit(3, 20 + i, "y", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.engine.cpu(W2, 3).orElseThrow().ledger().held() == 4);
        node2.dropNext(3, 2); // a gap while leaving: pending, settled only by a fence
        for (int i = 0; i < 3; i++) node2.exit(3, 30 + i, "y", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.engine.cpu(W2, 3).orElseThrow().ledger().held() == 5);

        // worker-2's lease expired: the coordinator no longer names it
        replica.engine.apply(directive(3, target(node1, W1, "0", Map.of())));
        await().atMost(Duration.ofSeconds(5)).until(() -> node2.cpusWithListeners().isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.engine.node(W2).isEmpty()
                && replica.engine.cpus().stream().noneMatch(c -> c.node().equals(W2)));
        assertThat(replica.totals.droppedWithNode.sum()).as("the held-back records went with the node").isEqualTo(5);
        assertThat(replica.totals.lost.sum()).as("nothing counted as loss").isZero();
        assertThat(replica.totals.lostReported()).isZero();
        assertThat(replica.totals.handoversAborted.sum()).isZero();
        assertThat(replica.engine.heldRecords()).isZero();
        assertThat(replica.engine.heartbeat("r", "i").nodes()).extracting(NodeReport::node).containsExactly(W1);
        assertThat(replica.engine.ready()).isTrue();
        // the records kept before are written; worker-1 goes on
        assertThat(replica.sink.records()).filteredOn(r -> r.node().equals(W2)).hasSize(5);
        node1.exit(0, 1, "z", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.sink.records().stream().anyMatch(r -> r.node().equals(W1)));
    }

    @Test
    void aBrokerThatServesAnotherNodeIsRefusedAndCounted() throws Exception {
        // the coordinator names worker-2's broker for worker-1 (a stale or wrong advertised address)
        replica.engine.apply(directive(1, new NodeTarget(W1, null, node2.address(), "0", Map.of()), target(node2, W2, "1", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.totals.refusedNodeMismatch.sum() >= 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.engine.cpu(W2, 1).orElseThrow().registered());
        assertThat(node2.cpusWithListeners()).as("nothing registered for worker-1 on worker-2's broker").containsExactly(1);
        assertThat(replica.engine.cpu(W1, 0).orElseThrow().registered()).isFalse();
        assertThat(replica.engine.cpu(W1, 0).orElseThrow().lastError()).contains("serves node worker-2");
        assertThat(replica.engine.ready()).isFalse();
        assertThat(report(replica, W1).ownedCpus()).isEmpty();
        assertThat(replica.engine.node(W1).orElseThrow().brokerRefusal()).as("shown in health and the API").contains("serves node worker-2");

        // the coordinator corrects the address: the refusals stop, the CPU registers
        replica.engine.apply(directive(2, target(node1, W1, "0", Map.of()), target(node2, W2, "1", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        assertThat(node1.cpusWithListeners()).containsExactly(0);
        assertThat(replica.engine.node(W1).orElseThrow().brokerRefusal()).isNull();
    }

    @Test
    void aNodeTargetWithoutBrokerOnAReplicaWithoutBrokerIsRefusedAndTheOtherNodeWorks() throws Exception {
        replica.engine.apply(directive(1, new NodeTarget(W1, null, null, "0-1", Map.of()), target(node2, W2, "1", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.engine.cpu(W2, 1).map(CpuChannelStatus::registered).orElse(false));
        assertThat(replica.totals.refusedNoBroker.sum()).isEqualTo(1);
        assertThat(replica.engine.node(W1).orElseThrow().refusal()).contains("no broker for node worker-1");
        assertThat(replica.engine.cpu(W1, 0)).as("no connection is attempted").isEmpty();
        assertThat(replica.engine.ready()).isFalse();
        replica.engine.apply(directive(2, new NodeTarget(W1, null, null, "0-1", Map.of()), target(node2, W2, "1", Map.of())));
        assertThat(replica.totals.refusedNoBroker.sum()).as("counted once per refusal, not per directive").isEqualTo(1);
        assertThat(replica.totals.refusedNodeMismatch.sum()).isZero();
    }

    @Test
    void aNodeRebootRestartsItsSequencesWithoutLoss() throws Exception {
        replica.engine.apply(directive(1, target(node1, W1, "0", Map.of()), target(node2, W2, "0-1", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        for (int i = 0; i < 50; i++) node2.exit(0, i, "before", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.sink.size() == 50);
        String oldBoot = node2.bootId();

        node2.restart(); // worker-2 reboots: connections break, sequences start again from 0 under a new boot id
        replica.engine.apply(directive(2, target(node1, W1, "0", Map.of()), target(node2, W2, "0-1", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.engine.ready() && node2.cpusWithListeners().size() == 2);
        for (int i = 0; i < 10; i++) node2.exit(0, 100 + i, "after", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.sink.size() == 60);

        List<Rec> after = replica.sink.records().stream().filter(r -> r.comm().equals("after")).toList();
        assertThat(after).extracting(Rec::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(after).allMatch(r -> r.bootId().equals(node2.bootId()) && !r.bootId().equals(oldBoot));
        assertThat(replica.totals.lost.sum()).as("a reboot is no loss").isZero();
        assertThat(replica.totals.duplicates.sum()).as("seq 0..9 again under the new boot are no duplicates").isZero();
        assertThat(report(replica, W2).bootId()).isEqualTo(node2.bootId());
    }

    @Test
    void aRebootTheCoordinatorReportsFirstReconnectsAConnectionThatStillSeesTheOldBoot() throws Exception {
        replica.engine.apply(directive(1, target(node2, W2, "0", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        long port = replica.engine.cpu(W2, 0).orElseThrow().portId();
        // the coordinator learned a new boot id (the node agent re-announced) before the connection broke
        replica.engine.apply(directive(2, new NodeTarget(W2, "00000000-0000-4000-8000-000000000001", node2.address(), "0", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.engine.cpu(W2, 0).map(c -> c.registered() && c.portId() != port).orElse(false));
        assertThat(replica.engine.cpu(W2, 0).orElseThrow().ledger().runs()).isEqualTo(2);
        assertThat(replica.totals.lost.sum()).isZero();
    }

    @Test
    void aCpuOfTheSecondNodeIsHandedOverBetweenTwoReplicasWithItsFence() throws Exception {
        TestReplica b = TestReplica.withoutBroker();
        others.add(b);
        replica.engine.apply(directive(1, target(node1, W1, "0", Map.of()), target(node2, W2, "0-3", Map.of())));
        b.engine.apply(directive(1, target(node1, W1, "1", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.engine.ready() && b.engine.ready());

        Set<Long> emitted = new HashSet<>();
        for (int i = 0; i < 30; i++) emitted.add(node2.exit(2, i, "m", false));
        // generation 2: (worker-2, 2) moves from A to B; A hears first, then B registers and reports its first seq
        replica.engine.apply(directive(2, target(node1, W1, "0", Map.of()), target(node2, W2, "0-1,3", Map.of())));
        b.engine.apply(directive(2, target(node1, W1, "1", Map.of()), target(node2, W2, "2", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(() -> node2.listenerCount(2) == 2);
        for (int i = 0; i < 30; i++) emitted.add(node2.exit(2, 100 + i, "m", false));
        await().atMost(Duration.ofSeconds(10)).until(() -> report(b, W2).firstSeqs().containsKey(2));
        long fence = report(b, W2).firstSeqs().get(2);
        assertThat(report(b, W1).firstSeqs()).as("the fence is of worker-2's CPU 2 only").doesNotContainKey(2);

        replica.engine.apply(directive(3, target(node1, W1, "0", Map.of()), target(node2, W2, "0-1,3", Map.of(2, fence))));
        await().atMost(Duration.ofSeconds(10)).until(() -> report(replica, W2).released().equals("2"));
        for (int i = 0; i < 30; i++) emitted.add(node2.exit(2, 200 + i, "m", false));
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs(replica, W2, 2).size() + seqs(b, W2, 2).size() == emitted.size());

        Set<Long> onA = seqs(replica, W2, 2);
        Set<Long> onB = seqs(b, W2, 2);
        assertThat(onA).allMatch(s -> s < fence);
        assertThat(onB).allMatch(s -> s >= fence);
        Set<Long> all = new HashSet<>(onA);
        all.addAll(onB);
        assertThat(all).isEqualTo(emitted);
        assertThat(report(replica, W2).ownedCpus()).isEqualTo("0-1,3");
        assertThat(report(replica, W1).ownedCpus()).as("worker-1's CPUs are untouched").isEqualTo("0");
        for (TestReplica r : List.of(replica, b)) {
            assertThat(r.totals.lost.sum()).isZero();
            assertThat(r.totals.duplicates.sum()).isZero();
        }
        assertThat(node2.listenerCount(2)).isEqualTo(1);
        assertThat(node1.listenerCount(0)).isEqualTo(1);
    }

    private static Set<Long> seqs(TestReplica r, String node, int cpu) {
        return r.sink.records().stream().filter(x -> x.node().equals(node) && x.cpu() == cpu).map(Rec::seq).collect(Collectors.toSet());
    }
}
