package io.tsfleet.emulator.broker;

import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.U32;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link BrokerSettings#flushDelay()}: output gathers for the delay and goes out in one write; nothing is lost or reordered. */
class FlushDelayTest {
    private static final Duration DELAY = Duration.ofMillis(300);

    @Test
    void eventsThatComeWithinTheDelayGoOutTogetherAfterIt() throws Exception {
        try (BrokerFixture f = new BrokerFixture(CpuSet.range(0, 3), Duration.ofSeconds(10), DELAY);
             BrokerTestClient listener = f.listener("0-3", true)) {
            listener.setReadTimeout(Duration.ofSeconds(10));
            Thread.sleep(100); // the loop's flush of the REGISTER ack has ended (what comes while a flush runs joins it at once)
            long writesBefore = f.server.stats().writes();
            long start = System.nanoTime();
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < 40; i++) seqs.add(f.kernel.exitGenerated(i & 3)); // 10 per CPU, all within a few ms
            List<NetlinkMessage> got = new ArrayList<>();
            while (got.size() < 40) {
                NetlinkMessage m = listener.receive();
                if (m.type() == f.kernel.taskstatsFamilyId()) got.add(m);
                if (got.size() == 1) {
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the first event waited for the delay")
                            .isGreaterThanOrEqualTo(DELAY.minusMillis(20));
                }
            }
            for (int i = 0; i < 40; i++) assertThat(U32.toLong(got.get(i).seq())).isEqualTo(seqs.get(i));
            // the loop counts a write after channel.write returned, so the client may have read it a moment earlier
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (f.server.stats().writes() == writesBefore && System.nanoTime() < deadline) Thread.sleep(1);
            assertThat(f.server.stats().writes() - writesBefore).as("40 events in one write (two if the delay expired mid-burst)")
                    .isBetween(1L, 2L);
        }
    }

    @Test
    void anAbsurdDelayIsRefused() {
        assertThatThrownBy(() -> new BrokerSettings("127.0.0.1", 0, 2, 10, 128 * 1024, Duration.ofSeconds(10),
                BrokerSettings.DEFAULT_TCP_SEND_BUFFER, Duration.ofSeconds(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flushDelay");
        assertThatThrownBy(() -> new BrokerSettings("127.0.0.1", 0, 2, 10, 128 * 1024, Duration.ofSeconds(10),
                BrokerSettings.DEFAULT_TCP_SEND_BUFFER, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
