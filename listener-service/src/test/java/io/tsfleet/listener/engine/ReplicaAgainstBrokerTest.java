package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.CpuLedgerSnapshot;
import io.tsfleet.listener.testing.CollectingSink.Rec;
import io.tsfleet.listener.testing.TestReplica;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A replica against a real broker over TCP (the test broker on top of the protocol module). */
class ReplicaAgainstBrokerTest {
    private static final String TOKEN = "s3cret";
    private FakeBroker broker;
    private TestReplica replica;

    @BeforeEach
    void start() throws Exception {
        broker = new FakeBroker(TOKEN, 4).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (replica != null) replica.close();
        broker.close();
    }

    private void startReplica(String token, String mask) throws Exception {
        replica = TestReplica.on(broker, token);
        replica.engine.useStaticMask(CpuSet.parse(mask));
    }

    private CpuLedgerSnapshot cpu(int cpu) {
        return replica.engine.cpu(cpu).orElseThrow().ledger();
    }

    @Test
    void everyRecordOfItsCpusArrivesInTheSinkWithTheRightCpuAndSeq() throws Exception {
        startReplica(TOKEN, "0-2");
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        for (int cpu = 0; cpu < 3; cpu++) assertThat(broker.listenerCount(cpu)).as("one connection on cpu " + cpu).isEqualTo(1);
        assertThat(broker.listenerCount(3)).isZero();
        Set<Long> ports = replica.engine.cpus().stream().map(CpuChannelStatus::portId).collect(Collectors.toSet());
        assertThat(ports).hasSize(3).doesNotContain(0L);

        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            int cpu = i % 3;
            long seq = broker.exit(cpu, 1000 + i, "task" + i, i % 10 == 0);
            expected.add(cpu + ":" + seq);
        }
        assertThat(broker.exit(3, 1, "elsewhere", false)).isEqualTo(-1);
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 300);

        List<Rec> got = replica.sink.records();
        assertThat(got.stream().map(r -> r.cpu() + ":" + r.seq()).collect(Collectors.toSet())).isEqualTo(expected);
        assertThat(got).allSatisfy(r -> assertThat(r.comm()).isEqualTo("task" + (r.pid() - 1000)));
        assertThat(got.stream().filter(Rec::group).count()).isEqualTo(30);
        assertThat(got.stream().allMatch(r -> (r.pid() - 1000) % 3 == r.cpu())).isTrue();
        assertThat(got).as("every record names the broker's node and boot").allSatisfy(r -> {
            assertThat(r.node()).isEqualTo(FakeBroker.DEFAULT_NODE);
            assertThat(r.bootId()).isEqualTo(broker.bootId());
        });
        for (int cpu = 0; cpu < 3; cpu++) {
            assertThat(cpu(cpu).records()).isEqualTo(100);
            assertThat(cpu(cpu).lost()).isZero();
        }
        assertThat(replica.totals.lost.sum()).isZero();
        assertThat(replica.totals.duplicates.sum()).isZero();
        assertThat(replica.pipeline.recordsWritten()).isEqualTo(300);
    }

    @Test
    void gapsAreCountedExactlyWhenTheBrokerDrops() throws Exception {
        startReplica(TOKEN, "0-1");
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        for (int i = 0; i < 10; i++) broker.exit(1, i, "a", false);
        broker.dropNext(1, 7);
        for (int i = 0; i < 20; i++) {
            broker.exit(1, 100 + i, "b", false);
            broker.exit(0, 200 + i, "c", false);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 10 + 13 + 20);
        assertThat(cpu(1).lost()).isEqualTo(7);
        assertThat(cpu(1).enobufs()).isEqualTo(1);
        assertThat(cpu(1).records()).isEqualTo(23);
        assertThat(cpu(0).lost()).isZero();
        assertThat(cpu(0).enobufs()).isZero();
        Set<Long> cpu1 = replica.sink.records().stream().filter(r -> r.cpu() == 1).map(Rec::seq).collect(Collectors.toSet());
        for (long s = 10; s < 17; s++) assertThat(cpu1).doesNotContain(s);
        assertThat(cpu1).contains(9L, 17L, 29L);
        assertThat(replica.totals.lost.sum()).isEqualTo(7);
        assertThat(replica.totals.enobufs.sum()).isEqualTo(1);
    }

    @Test
    void theU32WrapOfABrokerCounterIsNotALoss() throws Exception {
        startReplica(TOKEN, "2");
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        broker.setSeq(2, 0xFFFF_FFFCL);
        for (int i = 0; i < 8; i++) broker.exit(2, i, "w", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 8);
        assertThat(cpu(2).lost()).isZero();
        assertThat(cpu(2).lastSeq()).isEqualTo(3);
        assertThat(replica.sink.records().stream().map(Rec::seq).toList())
                .containsExactly(0xFFFF_FFFCL, 0xFFFF_FFFDL, 0xFFFF_FFFEL, 0xFFFF_FFFFL, 0L, 1L, 2L, 3L);
    }

    @Test
    void reRegistersAfterTheBrokerRestarts() throws Exception {
        startReplica(TOKEN, "0-1");
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        int familyBefore = broker.taskstatsFamily();
        for (int i = 0; i < 5; i++) broker.exit(0, i, "before", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 5);

        String bootBefore = broker.bootId();
        broker.restart();
        assertThat(broker.taskstatsFamily()).isNotEqualTo(familyBefore);
        await().atMost(Duration.ofSeconds(15)).until(() -> broker.listenerCount(0) == 1 && broker.listenerCount(1) == 1 && replica.engine.ready());
        for (int i = 0; i < 5; i++) {
            broker.exit(0, 100 + i, "after", false);
            broker.exit(1, 200 + i, "after", false);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 15);
        assertThat(cpu(0).runs()).isEqualTo(2);
        assertThat(cpu(0).records()).isEqualTo(10);
        assertThat(cpu(0).lost()).isZero();
        assertThat(cpu(0).duplicates()).as("the counter restarted at 0: a new run, not a duplicate").isZero();
        assertThat(replica.sink.records().stream().filter(r -> r.comm().equals("after") && r.cpu() == 0).map(Rec::seq).toList())
                .containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(replica.engine.unregisteredSeconds()).isPositive();
        // the same (cpu, seq) again, under the new boot id: (node, boot_id, cpu, seq) stays a unique key
        assertThat(replica.sink.records()).filteredOn(r -> r.comm().equals("before")).extracting(Rec::bootId).containsOnly(bootBefore);
        assertThat(replica.sink.records()).filteredOn(r -> r.comm().equals("after")).extracting(Rec::bootId)
                .containsOnly(broker.bootId()).doesNotContain(bootBefore);
        assertThat(replica.sink.records().stream().map(r -> r.node() + "/" + r.bootId() + "/" + r.cpu() + "/" + r.seq()).distinct())
                .hasSize(15);
    }

    @Test
    void recordsFromABrokerThatDoesNotNameItsNodeCarryNeitherNodeNorBootId() throws Exception {
        broker.close();
        broker = new FakeBroker(TOKEN, 4).node(null).start();
        startReplica(TOKEN, "0");
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        for (int i = 0; i < 3; i++) broker.exit(0, i, "old-broker", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 3);
        assertThat(replica.sink.records()).allSatisfy(r -> {
            assertThat(r.node()).isNull();
            assertThat(r.bootId()).isNull();
        });
        assertThat(cpu(0).lost()).isZero();
    }

    @Test
    void aWrongTokenIsRefusedAndTheReplicaIsNotReady() throws Exception {
        startReplica("wrong", "0");
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.engine.connectFailures() >= 2);
        assertThat(replica.engine.ready()).isFalse();
        assertThat(broker.listenerCount(0)).isZero();
        assertThat(replica.engine.cpu(0).orElseThrow().lastError()).contains("EPERM");
    }

    @Test
    void withoutAnyTokenTaskstatsCommandsAreRefused() throws Exception {
        startReplica(null, "0");
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.engine.connectFailures() >= 1);
        assertThat(replica.engine.cpu(0).orElseThrow().lastError()).contains("REGISTER_CPUMASK").contains("EPERM");
    }

    @Test
    void aBrokenConnectionCountsWhatOtherListenersGotMeanwhileAsLostWhenTheCountersContinued() throws Exception {
        startReplica(TOKEN, "0");
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        try (TestReplica other = TestReplica.on(broker, TOKEN)) {     // another listener keeps CPU 0's counter going
            other.engine.useStaticMask(CpuSet.of(0));
            await().atMost(Duration.ofSeconds(10)).until(other.engine::ready);
            for (int i = 0; i < 5; i++) broker.exit(0, i, "before", false);
            await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 5);

            broker.disconnect(replica.engine.cpu(0).orElseThrow().portId());
            for (int i = 0; i < 10; i++) broker.exit(0, 100 + i, "while-away", false);
            await().atMost(Duration.ofSeconds(15)).until(() -> broker.listenerCount(0) == 2 && replica.engine.ready());
            for (int i = 0; i < 5; i++) broker.exit(0, 200 + i, "after", false);
            await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 10);
        }
        assertThat(cpu(0).runs()).isEqualTo(2);
        assertThat(cpu(0).records()).isEqualTo(10);
        assertThat(cpu(0).lost()).as("the ten exits sequenced while it was away").isEqualTo(10);
        assertThat(cpu(0).duplicates()).isZero();
    }

    @Test
    void aCpuTheBrokerDoesNotHaveIsRefusedWithTheKernelsErrno() throws Exception {
        startReplica(TOKEN, "0,9");
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.engine.cpu(0).orElseThrow().registered()
                && replica.engine.cpu(9).orElseThrow().lastError() != null);
        assertThat(replica.engine.cpu(9).orElseThrow().lastError()).contains("ERANGE");
        assertThat(replica.engine.ready()).isFalse();
    }

    @Test
    void aSlowSinkBacksUpIntoTheBrokerAndEveryLossIsCounted() throws Exception {
        replica = new TestReplica(broker.address(), TOKEN, 1, 1, 0); // SO_RCVBUF 1 -> 2304 bytes: one queued event
        replica.engine.useStaticMask(CpuSet.of(0));
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        assertThat(replica.engine.cpu(0).orElseThrow().receiveBuffer()).isEqualTo(2304);
        replica.sink.block();
        int emitted = 6000;
        for (int i = 0; i < emitted; i++) broker.exit(0, i, "burst", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.dropped() > 0);
        assertThat(replica.pipeline.queuedBytes()).isLessThanOrEqualTo(8192);
        replica.sink.open();
        broker.exit(0, 99_999, "last", false); // a final event after the congestion, so the last gap is observed
        await().atMost(Duration.ofSeconds(20)).until(() -> replica.sink.records().stream().anyMatch(r -> r.comm().equals("last")));
        CpuLedgerSnapshot s = cpu(0);
        assertThat(s.records() + s.lost()).isEqualTo(emitted + 1);
        assertThat(s.lost()).isEqualTo(broker.dropped());
        assertThat(s.enobufs()).isGreaterThanOrEqualTo(1);
        assertThat(replica.sink.size()).isEqualTo((int) s.records());
        assertThat(replica.pipeline.backpressureNanos()).isPositive();
    }

    @Test
    void recordsDroppedAtTheEndOfABurstAreCountedWithoutWaitingForTheCpusNextExit() throws Exception {
        replica = new TestReplica(broker.address(), TOKEN, 1, 1, 0); // one queued event
        replica.engine.useStaticMask(CpuSet.of(0));
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        replica.sink.block();
        int emitted = 3000;
        for (int i = 0; i < emitted; i++) broker.exit(0, i, "burst", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.dropped() > 0);
        broker.dropNextSocketStateAnswer();           // a full queue drops the first answer: one drop that is no record
        replica.sink.open();
        // no exit follows: the CPU is quiet, and only the socket's drop count can tell what the burst lost at its end
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            replica.engine.tick();
            CpuLedgerSnapshot s = cpu(0);
            return s.records() + s.lost() == emitted;
        });
        assertThat(cpu(0).lost()).isEqualTo(broker.dropped());

        // a later exit reveals the same gap: it is not counted twice
        broker.exit(0, 99_999, "last", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.records().stream().anyMatch(r -> r.comm().equals("last")));
        CpuLedgerSnapshot s = cpu(0);
        assertThat(s.records() + s.lost()).isEqualTo(emitted + 1);
        assertThat(s.lost()).isEqualTo(broker.dropped());
        assertThat(replica.totals.lost.sum()).isEqualTo(broker.dropped());
    }
}
