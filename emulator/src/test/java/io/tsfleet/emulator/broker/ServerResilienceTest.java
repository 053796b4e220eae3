package io.tsfleet.emulator.broker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.emulator.emulated.EmulatedBackend;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.emulated.kernel.KernelConfig;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** A failing connection does not take its event loop with it; refused connections do not flood the log. */
class ServerResilienceTest {
    /** The request type on which the test backend throws, as a backend bug would. */
    private static final int POISON_TYPE = 0x7777;

    /** The emulated backend, except that a request of {@link #POISON_TYPE} throws. */
    private static final class PoisonableBackend implements BrokerBackend {
        private final EmulatedBackend delegate;

        PoisonableBackend(EmulatedKernel kernel) {
            this.delegate = new EmulatedBackend(kernel);
        }

        @Override
        public String name() {
            return "poisonable";
        }

        @Override
        public BrokerSession open(ClientConnection connection) throws IOException {
            BrokerSession s = delegate.open(connection);
            return new BrokerSession() {
                @Override
                public int portId() {
                    return s.portId();
                }

                @Override
                public void onRequest(NetlinkMessage request) {
                    if (request.type() == POISON_TYPE) throw new IllegalStateException("backend bug on request seq " + request.seq());
                    s.onRequest(request);
                }

                @Override
                public int drainTo(ByteBuffer out) {
                    return s.drainTo(out);
                }

                @Override
                public void close() {
                    s.close();
                }
            };
        }
    }

    @Test
    void anExceptionWhileServingOneConnectionClosesOnlyThatOneAndTheLoopServesOthersAndLaterOnes() throws Exception {
        EmulatedKernel kernel = new EmulatedKernel(KernelConfig.of(256, CpuSet.of(0, 1)), Clock.systemUTC());
        // one event loop: every connection below shares it
        try (BrokerServer server = new BrokerServer(new PoisonableBackend(kernel),
                new BrokerSettings("127.0.0.1", 0, 1, 100, 128 * 1024, Duration.ofSeconds(10), BrokerSettings.DEFAULT_TCP_SEND_BUFFER, Duration.ZERO),
                Clock.systemUTC())) {
            server.start();
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            try (BrokerTestClient before = BrokerTestClient.open(address, null); BrokerTestClient poisoned = BrokerTestClient.open(address, null)) {
                poisoned.send(new NetlinkMessage(POISON_TYPE, 1, 77, 0, new byte[4]));
                assertThat(poisoned.closedByPeerWithin(Duration.ofSeconds(5))).as("the failing connection is closed").isTrue();
                assertThat(server.stats().closed(CloseReason.FAILURE)).isEqualTo(1);

                assertThat(before.resolve(TaskstatsProtocol.FAMILY_NAME)).as("an earlier connection on the same loop is served")
                        .isEqualTo(kernel.taskstatsFamilyId());
                try (BrokerTestClient after = BrokerTestClient.open(address, null)) {
                    assertThat(after.resolve(TaskstatsProtocol.FAMILY_NAME)).as("a later connection on the same loop is served")
                            .isEqualTo(kernel.taskstatsFamilyId());
                }
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (server.stats().openConnections() != 1 && System.nanoTime() < deadline) Thread.sleep(10);
                assertThat(server.stats().openConnections()).as("only the earlier connection is left").isEqualTo(1);
            }
        }
    }

    /** A clock that the test moves. */
    private static final class TestClock extends Clock {
        final AtomicLong millis = new AtomicLong(1_000_000);

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    @Test
    void refusedConnectionsWarnAtMostOncePerIntervalAndTheNextWarningCountsTheSuppressedOnes() throws Exception {
        EmulatedKernel kernel = new EmulatedKernel(KernelConfig.of(256, CpuSet.of(0, 1)), Clock.systemUTC());
        TestClock clock = new TestClock();
        List<ILoggingEvent> warnings = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getLevel().isGreaterOrEqual(Level.WARN)) warnings.add(e);
            }
        };
        capture.start();
        Logger log = (Logger) LoggerFactory.getLogger(BrokerServer.class);
        log.addAppender(capture);
        ConnectionLimits limits = ConnectionLimits.defaults(false).withMaxConnectionsPerPeer(1);
        try (BrokerServer server = new BrokerServer(new EmulatedBackend(kernel), new BrokerSettings("127.0.0.1", 0, 1, 100, 128 * 1024,
                Duration.ofSeconds(10), BrokerSettings.DEFAULT_TCP_SEND_BUFFER, Duration.ZERO, limits), clock);
             BrokerTestClient holder = BrokerTestClient.open(new InetSocketAddress("127.0.0.1", startedPort(server)), null)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            for (int i = 0; i < 20; i++) assertThat(Refusal.connect(address, 3_000).refused()).isTrue();
            assertThat(server.stats().rejected(RefusalReason.PEER_LIMIT)).isEqualTo(20);
            assertThat(warnings).as("one WARN for 20 refusals within the interval").hasSize(1);
            assertThat(warnings.getFirst().getFormattedMessage()).contains("peer_limit").doesNotContain("suppressed");

            clock.millis.addAndGet(ConnectionLimits.DEFAULT_REFUSAL_LOG_INTERVAL.toMillis());
            assertThat(Refusal.connect(address, 3_000).refused()).isTrue();
            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(1).getFormattedMessage()).contains("19 more of this kind suppressed");
            assertThat(holder.resolve(TaskstatsProtocol.FAMILY_NAME)).isPositive();
        } finally {
            log.detachAppender(capture);
        }
    }

    private static int startedPort(BrokerServer server) throws IOException {
        server.start();
        return server.port();
    }
}
