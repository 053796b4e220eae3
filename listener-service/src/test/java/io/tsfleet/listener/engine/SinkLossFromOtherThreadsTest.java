package io.tsfleet.listener.engine;

import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.listener.testing.TestReplica;
import io.tsfleet.listener.testing.Wire;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sink loss is counted from threads that are not the CPU's reader (sink writers, readers that dropped a batch for a
 * slow sink, a sink's own I/O threads) while the CPU's channel may be ending: every count lands in the node's total,
 * none is added to a channel after it handed its totals to the node.
 */
class SinkLossFromOtherThreadsTest {

    @Test
    void lossCountedWhileTheChannelsEndIsNeverMissingFromTheNode() throws Exception {
        for (int round = 0; round < 15; round++) {
            try (FakeBroker broker = new FakeBroker(null, 8).start()) {
                TestReplica replica = new TestReplica(broker.address(), null, 1 << 20, 64, 10_000);
                replica.engine.apply(Wire.directive(1, "0-7", Map.of(), 100, 5000));
                await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
                NodeSlots node = replica.engine.node(Wire.NODE).orElseThrow();
                RecordOrigin origin = RecordOrigin.of(Wire.NODE, broker.bootId(), Wire.NODE);
                AtomicBoolean stop = new AtomicBoolean();
                LongAdder counted = new LongAdder();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int first = t;
                    threads.add(Thread.ofPlatform().start(() -> {
                        int cpu = first;
                        while (!stop.get()) {
                            replica.engine.unwritten(origin, cpu, 1);
                            counted.increment();
                            cpu = (cpu + 1) % 8;
                        }
                    }));
                }
                Thread.sleep(20);
                replica.engine.shutdown(Duration.ofSeconds(2)); // every channel ends and retires while the counts go on
                Thread.sleep(20);
                stop.set(true);
                for (Thread t : threads) t.join();
                replica.pipeline.close(Duration.ofSeconds(2));

                assertThat(node.channels).as("every channel retired").isEmpty();
                assertThat(node.lost()).as("round %d: every count is in the node's total", round).isEqualTo(counted.sum());
                assertThat(replica.totals.unwritten.sum()).isEqualTo(counted.sum());
            }
        }
    }
}
