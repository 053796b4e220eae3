package io.tsfleet.emulator.broker;

import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.emulator.emulated.kernel.ExitResult;
import io.tsfleet.emulator.emulated.kernel.ExitSpec;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.U32;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Fan-out over real TCP connections, and a listener that stops reading. */
class TcpFanoutTest {

    /** pid of each exit's event -> (cpu, seq), in exit order. */
    private record Exit(int pid, int cpu, long seq) {
    }

    @Test
    void everyListenerReceivesExactlyItsCpusEventsInOrderOverTcp() throws Exception {
        try (BrokerFixture f = new BrokerFixture(CpuSet.range(0, 255), Duration.ofSeconds(10))) {
            SplittableRandom r = new SplittableRandom(3);
            int listeners = 16;
            int exits = 20_000;
            List<CpuSet> masks = new ArrayList<>();
            List<BrokerTestClient> clients = new ArrayList<>();
            for (int i = 0; i < listeners; i++) {
                int start = r.nextInt(256);
                CpuSet m = CpuSet.builder().addRange(start, Math.min(255, start + 40)).add(r.nextInt(256)).add(r.nextInt(256)).build();
                masks.add(m);
                clients.add(f.listener(m.toCpulist(), true));
            }
            List<Exit> done = new ArrayList<>(exits);
            for (int i = 0; i < exits; i++) {
                int cpu = r.nextInt(256);
                ExitResult res = f.kernel.exit(ExitSpec.simple(cpu));
                done.add(new Exit(res.tgid(), cpu, res.threads().getFirst().seq()));
            }
            for (int i = 0; i < listeners; i++) {
                CpuSet m = masks.get(i);
                List<Exit> expected = done.stream().filter(e -> m.contains(e.cpu())).toList();
                List<NetlinkMessage> got = BrokerFixtureEvents.events(clients.get(i), clients.get(i).drainUntilBarrier());
                assertThat(got).as("listener %d", i).hasSize(expected.size());
                for (int k = 0; k < got.size(); k++) {
                    assertThat(U32.toLong(got.get(k).seq())).isEqualTo(expected.get(k).seq());
                    assertThat(BrokerFixtureEvents.pid(got.get(k))).isEqualTo(expected.get(k).pid());
                }
                clients.get(i).close();
            }
            BrokerStats stats = f.server.stats();
            assertThat(stats.writes()).as("socket writes are counted").isPositive().isLessThanOrEqualTo(stats.bytesWritten());
        }
    }

    @Test
    void aListenerThatStopsReadingOverflowsAloneAndTheOthersLoseNothing() throws Exception {
        try (BrokerFixture f = new BrokerFixture(CpuSet.of(0, 1), Duration.ofSeconds(10))) {
            BrokerTestClient stuck = f.listener("0-1", false); // default 212992-byte receive buffer, and it never reads
            int readers = 2;
            int exits = 40_000;
            Map<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
            AtomicInteger enobufs = new AtomicInteger();
            CountDownLatch finished = new CountDownLatch(readers);
            List<BrokerTestClient> readingClients = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                BrokerTestClient c = f.listener("0-1", true);
                readingClients.add(c);
                int id = i;
                seen.put(id, new ArrayList<>());
                Thread.ofVirtual().start(() -> {
                    try {
                        while (seen.get(id).size() < exits) {
                            NetlinkMessage m = c.receive();
                            if (NetlinkError.isOverrun(m)) enobufs.incrementAndGet();
                            else if (m.type() == c.taskstatsFamily()) seen.get(id).add(BrokerFixtureEvents.pid(m));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        finished.countDown();
                    }
                });
            }
            List<Integer> pids = new ArrayList<>(exits);
            for (int i = 0; i < exits; i++) pids.add(f.kernel.exit(ExitSpec.simple(i & 1)).tgid());
            assertThat(finished.await(60, TimeUnit.SECONDS)).as("readers got everything").isTrue();
            for (int i = 0; i < readers; i++) assertThat(seen.get(i)).as("reader %d", i).isEqualTo(pids);
            assertThat(enobufs).hasValue(0);
            var stuckState = f.kernel.socket(stuck.portId()).orElseThrow();
            assertThat(stuckState.drops()).as("the stuck listener overflowed").isPositive();
            assertThat(stuckState.congested()).isTrue();
            assertThat(f.kernel.counters().droppedRcvbufFull() + f.kernel.counters().droppedCongested()).isEqualTo(stuckState.drops());
            for (BrokerTestClient c : readingClients) c.close();
            stuck.close();
        }
    }
}
