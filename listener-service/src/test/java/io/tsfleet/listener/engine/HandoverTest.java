package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.CpuState;
import io.tsfleet.listener.testing.CollectingSink.Rec;
import io.tsfleet.listener.testing.TestReplica;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.listener.testing.Wire;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replica engines in one process move CPU 2 between them over a real broker connection while exits keep
 * coming on every CPU, following the directive contract: make before break with the sequence fence.
 */
class HandoverTest {
    private static final String TOKEN = "t";
    private FakeBroker broker;
    private TestReplica a;
    private TestReplica b;
    private final Set<String> emitted = ConcurrentHashMap.newKeySet();
    private volatile boolean generating;
    private Thread generator;

    @BeforeEach
    void start() throws Exception {
        broker = new FakeBroker(TOKEN, 4).start();
        a = TestReplica.on(broker, TOKEN);
        b = TestReplica.on(broker, TOKEN);
        a.engine.apply(directive(1, "0-3", Map.of()));
        b.engine.apply(directive(1, "", Map.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> a.engine.ready() && b.engine.ready());
        generating = true;
        generator = Thread.ofVirtual().start(() -> {
            long pid = 1;
            while (generating) {
                for (int cpu = 0; cpu < 4; cpu++) {
                    long seq = broker.exit(cpu, pid++, "g", pid % 17 == 0);
                    if (seq >= 0) emitted.add(cpu + ":" + seq);
                }
                LockSupport.parkNanos(300_000);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> a.sink.size() > 200);
    }

    @AfterEach
    void stop() throws Exception {
        generating = false;
        if (generator != null) generator.join();
        a.close();
        b.close();
        broker.close();
    }

    private static ReplicaDirective directive(long generation, String target, Map<Integer, Long> fences) {
        return Wire.directive(generation, target, fences, 100, 5000);
    }

    /** What the replica reports of the fake broker's node. */
    private static NodeReport heartbeat(TestReplica r) {
        return Wire.report(r.engine.heartbeat("r", "i"));
    }

    private void stopGeneratingAndSettle() throws InterruptedException {
        generating = false;
        generator.join();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Set<String> seen = new HashSet<>(keys(a.sink.records()));
            seen.addAll(keys(b.sink.records()));
            return seen.containsAll(emitted);
        });
    }

    private static List<String> keys(List<Rec> records) {
        return records.stream().map(r -> r.cpu() + ":" + r.seq()).toList();
    }

    private static Set<Long> seqsOn(TestReplica r, int cpu) {
        return r.sink.records().stream().filter(x -> x.cpu() == cpu).map(Rec::seq).collect(Collectors.toSet());
    }

    @Test
    void aPlannedMoveLosesNothingAndDuplicatesNothing() throws Exception {
        // generation 2: CPU 2 moves from A to B. A hears first (the CPU leaves its target: it holds back records),
        // then B registers and reports its first sequence number on CPU 2.
        a.engine.apply(directive(2, "0-1,3", Map.of()));
        b.engine.apply(directive(2, "2", Map.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(b).firstSeqs().containsKey(2));
        assertThat(heartbeat(b).ownedCpus()).isEqualTo("2");
        assertThat(heartbeat(a).ownedCpus()).as("A still holds CPU 2 until its fence").isEqualTo("0-3");
        assertThat(broker.listenerCount(2)).isEqualTo(2);
        long fence = heartbeat(b).firstSeqs().get(2);

        // the coordinator hands the fence to A: A keeps < fence, leaves >= fence to B, deregisters as soon as it knows it
        a.engine.apply(directive(2, "0-1,3", Map.of(2, fence)));
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(a).released().equals("2"));
        assertThat(heartbeat(a).ownedCpus()).isEqualTo("0-1,3");
        assertThat(broker.listenerCount(2)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> seqsOn(b, 2).size() > 50);
        stopGeneratingAndSettle();

        Set<Long> onA = seqsOn(a, 2);
        Set<Long> onB = seqsOn(b, 2);
        Set<Long> both = new HashSet<>(onA);
        both.retainAll(onB);
        assertThat(both).as("duplicates between the replicas").isEmpty();
        assertThat(onA).allMatch(s -> s < fence);
        assertThat(onB).allMatch(s -> s >= fence);
        Set<Long> all = new HashSet<>(onA);
        all.addAll(onB);
        Set<Long> emittedOn2 = emitted.stream().filter(k -> k.startsWith("2:")).map(k -> Long.parseLong(k.substring(2))).collect(Collectors.toSet());
        assertThat(all).isEqualTo(emittedOn2);
        for (TestReplica r : List.of(a, b)) {
            assertThat(r.totals.lost.sum()).isZero();
            assertThat(r.totals.duplicates.sum()).isZero();
        }
        assertThat(a.totals.handedOver.sum()).isPositive();
        // every record of every CPU arrived exactly once in the fleet
        List<String> fleet = new java.util.ArrayList<>(keys(a.sink.records()));
        fleet.addAll(keys(b.sink.records()));
        assertThat(fleet).hasSize(emitted.size()).doesNotHaveDuplicates();
        for (TestReplica r : List.of(a, b)) {
            assertThat(r.sink.records()).as("records released from the holdback too name the node and boot")
                    .extracting(Rec::node, Rec::bootId).containsOnly(org.assertj.core.groups.Tuple.tuple(FakeBroker.DEFAULT_NODE, broker.bootId()));
        }

        // the next directive no longer lists the fence: A stops reporting the release
        a.engine.apply(directive(3, "0-1,3", Map.of()));
        assertThat(heartbeat(a).released()).isEmpty();
    }

    @Test
    void whenTheNewOwnerRegistersBeforeTheOldOneKnowsTheOverlapIsCountedExactly() throws Exception {
        b.engine.apply(directive(2, "2", Map.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(b).firstSeqs().containsKey(2));
        long fence = heartbeat(b).firstSeqs().get(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> seqsOn(b, 2).size() > 20);
        // A hears about the move and the fence only now (a race the coordinator can cause)
        a.engine.apply(directive(2, "0-1,3", Map.of(2, fence)));
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(a).released().equals("2"));
        stopGeneratingAndSettle();

        Set<Long> onA = seqsOn(a, 2);
        Set<Long> onB = seqsOn(b, 2);
        Set<Long> both = new HashSet<>(onA);
        both.retainAll(onB);
        assertThat(both).isNotEmpty();
        assertThat(a.totals.duplicates.sum()).as("every record in both sinks is counted").isEqualTo(both.size());
        Set<Long> all = new HashSet<>(onA);
        all.addAll(onB);
        assertThat(all).hasSize((int) emitted.stream().filter(k -> k.startsWith("2:")).count());
        assertThat(a.totals.lost.sum() + b.totals.lost.sum()).isZero();
    }

    /** Exits on {@code cpu} now; their sequence numbers. */
    private List<Long> emit(int cpu, int n) {
        List<Long> seqs = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) seqs.add(broker.exit(cpu, 900_000 + i, "e", false));
        return seqs;
    }

    @Test
    void anOldOwnerBehindOnItsBacklogDeregistersAsSoonAsItLearnsTheFence() throws Exception {
        stopGeneratingAndSettle();
        long portA = a.engine.cpu(2).orElseThrow().portId();
        a.engine.apply(directive(2, "0-1,3", Map.of()));
        broker.pauseDeliveryTo(portA, true); // A is behind on CPU 2: what the broker queues for it waits there
        List<Long> belowFence = emit(2, 20); // only A is registered: A's records
        b.engine.apply(directive(2, "2", Map.of()));
        broker.awaitListeners(2, 2, 5000);
        List<Long> fromFence = emit(2, 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(b).firstSeqs().containsKey(2));
        long fence = heartbeat(b).firstSeqs().get(2);
        assertThat(fence).isEqualTo(fromFence.getFirst());

        a.engine.apply(directive(2, "0-1,3", Map.of(2, fence)));
        // deregistered at once, although A has not seen a single record below the fence yet: no more records queue
        // for A on CPU 2 (an overloaded owner stops overflowing on it now, not after reading its backlog)
        broker.awaitListeners(2, 1, 5000);
        assertThat(seqsOn(a, 2)).doesNotContainAnyElementsOf(belowFence);
        assertThat(heartbeat(a).released()).as("released once the broker's answer is read, after the backlog").isEmpty();
        emit(2, 5); // B's alone

        broker.pauseDeliveryTo(portA, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(a).released().equals("2"));
        assertThat(seqsOn(a, 2)).containsAll(belowFence).doesNotContainAnyElementsOf(fromFence).allMatch(x -> x < fence);
        assertThat(seqsOn(b, 2)).containsAll(fromFence).allMatch(x -> x >= fence);
        for (TestReplica r : List.of(a, b)) {
            assertThat(r.totals.lost.sum()).isZero();
            assertThat(r.totals.duplicates.sum()).isZero();
        }
        assertThat(a.totals.handedOver.sum()).as("A's copies of the new owner's records are dropped").isEqualTo(fromFence.size());
        assertThat(a.totals.forcedReleases.sum()).isZero();
    }

    @Test
    void recordsBelowTheFenceThatTheBrokerDroppedAreCountedWhenTheDeregistrationIsAnsweredEvenWithoutItsAck() throws Exception {
        stopGeneratingAndSettle();
        long portA = a.engine.cpu(2).orElseThrow().portId();
        a.engine.apply(directive(2, "0-1,3", Map.of()));
        broker.pauseDeliveryTo(portA, true);
        List<Long> kept = emit(2, 5);
        broker.dropNextFor(portA, 7);
        List<Long> dropped = emit(2, 7); // A's queue overflows: the broker drops them (and keeps dropping: congested)
        b.engine.apply(directive(2, "2", Map.of()));
        broker.awaitListeners(2, 2, 5000);
        List<Long> fromFence = emit(2, 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(b).firstSeqs().containsKey(2));
        long fence = heartbeat(b).firstSeqs().get(2);
        long lostBefore = a.totals.lost.sum();

        broker.dropDeregisterAcks(true); // a congested queue drops the ack: the drained marker must release the CPU
        a.engine.apply(directive(2, "0-1,3", Map.of(2, fence)));
        broker.awaitListeners(2, 1, 5000);
        broker.pauseDeliveryTo(portA, false);
        // no handover or ack timeout runs in this test (no engine tick): only the broker's answer can release the CPU
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(a).released().equals("2"));
        assertThat(a.totals.lost.sum() - lostBefore).as("exactly the records below the fence that never came").isEqualTo(dropped.size());
        assertThat(a.totals.forcedReleases.sum()).isZero();
        assertThat(seqsOn(a, 2)).containsAll(kept).doesNotContainAnyElementsOf(dropped).allMatch(x -> x < fence);
        assertThat(seqsOn(b, 2)).containsAll(fromFence);
        assertThat(b.totals.lost.sum()).isZero();
    }

    @Test
    void aLeavingCpuWhoseConnectionBreaksBeforeItsFenceAbortsTheHandoverAndWritesWhatItHeld() throws Exception {
        stopGeneratingAndSettle();
        a.engine.apply(directive(2, "0-1,3", Map.of())); // CPU 2 leaves A's target: its records are held back
        List<Long> held = emit(2, 5);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.engine.cpu(2).orElseThrow().ledger().held() == 5);
        assertThat(seqsOn(a, 2)).doesNotContainAnyElementsOf(held);

        broker.disconnect(a.engine.cpu(2).orElseThrow().portId());
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(a).released().equals("2"));
        assertThat(a.totals.handoversAborted.sum()).isEqualTo(1);
        assertThat(a.engine.cpu(2)).as("the reader ended").isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> seqsOn(a, 2).containsAll(held));
        assertThat(broker.listenerCount(2)).as("a leaving CPU is never reconnected").isZero();
        assertThat(heartbeat(a).ownedCpus()).isEqualTo("0-1,3");
        assertThat(a.totals.lost.sum()).isZero();
        assertThat(a.totals.forcedReleases.sum()).isZero();
    }

    @Test
    void aFencedCpuWhoseDeregistrationIsNeverAnsweredIsReleasedByTheTickAndCountsWhatNeverCame() throws Exception {
        stopGeneratingAndSettle();
        long portA = a.engine.cpu(2).orElseThrow().portId();
        a.engine.apply(directive(2, "0-1,3", Map.of()));
        List<Long> kept = emit(2, 3);
        broker.dropNextFor(portA, 5);
        List<Long> dropped = emit(2, 4); // the last records below the fence: no later record of A reveals their gap
        b.engine.apply(directive(2, "2", Map.of()));
        broker.awaitListeners(2, 2, 5000);
        emit(2, 1); // B's first (the fence), dropped for A too
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(b).firstSeqs().containsKey(2));
        long fence = heartbeat(b).firstSeqs().get(2);
        long lostBefore = a.totals.lost.sum();

        broker.answerNoDeregister(true);
        a.engine.apply(directive(2, "0-1,3", Map.of(2, fence)));
        broker.awaitListeners(2, 1, 5000);
        await().atMost(Duration.ofSeconds(5)).until(() -> seqsOn(a, 2).containsAll(kept));
        assertThat(a.engine.cpu(2).orElseThrow().status()).isEqualTo(CpuState.Status.RELEASING);
        a.engine.tick();
        assertThat(heartbeat(a).released()).as("not stuck yet: released only after the release-ack timeout").isEmpty();

        Thread.sleep(2_200); // the replica's release-ack timeout is 2 s: nothing has come since the DEREGISTER
        a.engine.tick();
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat(a).released().equals("2"));
        assertThat(a.totals.forcedReleases.sum()).isEqualTo(1);
        assertThat(a.totals.lost.sum() - lostBefore).as("exactly the records below the fence that never came").isEqualTo(dropped.size());
        assertThat(a.totals.handoversAborted.sum()).isZero();
    }

    @Test
    void aStaleDirectiveIsRefusedAndChangesNothing() {
        a.engine.apply(directive(5, "0-3", Map.of()));
        var plan = a.engine.apply(directive(4, "", Map.of()));
        assertThat(plan.accepted()).isFalse();
        assertThat(a.engine.generation()).isEqualTo(5);
        assertThat(a.engine.node(Wire.NODE).orElseThrow().target().toCpulist()).isEqualTo("0-3");
        assertThat(a.engine.refusedDirectives()).isEqualTo(1);
        assertThat(heartbeat(a).ownedCpus()).isEqualTo("0-3");
    }

    @Test
    void aCpuMovedBackBeforeItsFenceKeepsEverythingItHeld() throws Exception {
        a.engine.apply(directive(2, "0-1,3", Map.of()));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.engine.cpu(2).orElseThrow().ledger().held() > 5);
        a.engine.apply(directive(3, "0-3", Map.of()));
        assertThat(a.engine.cpu(2).orElseThrow().ledger().held()).isZero();
        stopGeneratingAndSettle();
        assertThat(keys(a.sink.records())).hasSize(emitted.size()).doesNotHaveDuplicates();
        assertThat(a.sink.records()).as("the records it held too").extracting(Rec::bootId).containsOnly(broker.bootId());
        assertThat(a.totals.lost.sum()).isZero();
    }
}
