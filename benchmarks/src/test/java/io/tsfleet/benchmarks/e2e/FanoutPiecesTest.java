package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.client.BrokerProtocolException;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import io.tsfleet.protocol.testing.FakeBroker;
import io.tsfleet.testing.Http;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pieces of {@code Harness fanout} without the real jars: frame counting on the raw listener's read path, its
 * registration against a stand-in broker (the protocol test-jar's {@code FakeBroker}), the listeners' child JVM, the
 * ramp, the probe over HTTP and the RESULT line.
 */
class FanoutPiecesTest {
    private static byte[] event(int family, int seq) {
        return TaskstatsEvent.exit(seq, 1000 + seq, Taskstats.builder().comm("t").build()).encode(family).toBytes();
    }

    private static byte[] eventWithGroup(int family, int seq) {
        Taskstats s = Taskstats.builder().comm("t").build();
        return TaskstatsEvent.exitWithGroup(seq, 2000 + seq, s, 2000, s).encode(family).toBytes();
    }

    /** 10 events, an overrun, a reply of another family, a 1172-byte event, 5 events. */
    private static byte[] script(int taskstatsFamily, int sockFamily) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 10; i++) b.writeBytes(event(taskstatsFamily, i));
        b.writeBytes(NetlinkError.overrun().toBytes());
        b.writeBytes(MessageBuilder.genl(1, 1).u32(1, 5).build(sockFamily, 0, 9, 0).toBytes());
        b.writeBytes(eventWithGroup(taskstatsFamily, 10));
        for (int i = 11; i < 16; i++) b.writeBytes(event(taskstatsFamily, i));
        return b.toByteArray();
    }

    /** {@code l.readUntilClosed()} on a thread of its own; what it throws is kept. */
    private static Thread reading(RawListener l, AtomicReference<Exception> failure) {
        return Thread.ofPlatform().start(() -> {
            try {
                l.readUntilClosed();
            } catch (Exception e) {
                failure.set(e);
            }
        });
    }

    private static void awaitEvents(RawListener l, long events) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (l.counter().events() < events && System.nanoTime() < deadline) Thread.sleep(10);
    }

    @Test
    void rawListenerResolvesTheFamilyRegistersItsMaskAndCountsEventsOverrunsAndOthersAcrossSplitReads() throws Exception {
        // 13-byte writes split every header; 596 splits the 1172-byte event; 1000 splits at odd places; then all at once
        for (int chunk : new int[] {13, 596, 1000, Integer.MAX_VALUE}) {
            try (StandInBroker broker = StandInBroker.scripted(FanoutPiecesTest::script, chunk);
                 RawListener l = RawListener.connect(broker.address(), "0-63", 2 * 1024 * 1024, 128 * 1024)) {
                byte[] stream = broker.script();
                assertThat(event(l.taskstatsFamily(), 0)).hasSize(TaskstatsProtocol.EVENT_LENGTH);
                assertThat(eventWithGroup(l.taskstatsFamily(), 0)).hasSize(TaskstatsProtocol.EVENT_WITH_TGID_LENGTH);
                assertThat(l.taskstatsFamily()).isEqualTo(broker.taskstatsFamily());
                assertThat(broker.registrations()).containsExactly(new FakeBroker.Registration(Integer.toUnsignedLong(l.portId()), "0-63"));
                assertThat(l.receiveBuffer()).as("SO_RCVBUFFORCE 2 MiB, doubled").isEqualTo(4L * 1024 * 1024);
                AtomicReference<Exception> failure = new AtomicReference<>();
                Thread reader = reading(l, failure);
                awaitEvents(l, 16);
                l.close();
                reader.join(5_000);
                assertThat(reader.isAlive()).isFalse();
                assertThat(failure.get()).isNull();
                assertThat(l.counter().events()).as("chunk %d", chunk).isEqualTo(16);
                assertThat(l.counter().overruns()).as("chunk %d", chunk).isEqualTo(1);
                assertThat(l.counter().other()).as("chunk %d", chunk).isEqualTo(1);
                assertThat(l.counter().bytes()).as("chunk %d: every byte in a counted frame", chunk).isEqualTo(stream.length);
            }
        }
    }

    @Test
    void rawListenerEndsOnAMalformedFrame() throws Exception {
        StandInBroker.Script badAfterThree = (taskstats, sock) -> {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = 0; i < 3; i++) b.writeBytes(event(taskstats, i));
            // nlmsg_len 8: shorter than the header itself
            b.writeBytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(8).putInt(0).putLong(0).array());
            return b.toByteArray();
        };
        try (StandInBroker broker = StandInBroker.scripted(badAfterThree, 65_536); // one write: the bad frame comes in the buffer of the three
             RawListener l = RawListener.connect(broker.address(), "0-63", 0, 0)) {
            AtomicReference<Exception> failure = new AtomicReference<>();
            Thread reader = reading(l, failure);
            reader.join(10_000);
            assertThat(reader.isAlive()).isFalse();
            assertThat(failure.get()).isInstanceOf(BrokerProtocolException.class).hasMessageContaining("malformed frame");
            // the frames before the bad one are counted and published, though their buffer ended the read
            assertThat(l.counter().events()).isEqualTo(3);
        }
    }

    @Test
    void listenersInAChildJvmAnswerSummedCounts() throws Exception {
        Path log = Path.of("target", "fanout-listeners-test.log");
        try (StandInBroker broker = StandInBroker.scripted(FanoutPiecesTest::script, 1000);
             FanoutListeners.Child child = FanoutListeners.Child.start(broker.address(), 3, "0-3", 65536, 0, List.of("-Xmx64m"), log,
                     Duration.ofSeconds(30))) {
            byte[] stream = broker.script();
            assertThat(child.portIds()).hasSize(3).doesNotHaveDuplicates();
            assertThat(broker.registrations()).extracting(FakeBroker.Registration::cpulist).containsExactly("0-3", "0-3", "0-3");
            assertThat(broker.registrations()).extracting(r -> (int) r.portId()).containsExactlyInAnyOrderElementsOf(child.portIds());
            FanoutListeners.Counts c = child.counts();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (c.events() < 48 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                c = child.counts();
            }
            assertThat(c.events()).isEqualTo(48);
            assertThat(c.overruns()).isEqualTo(3);
            assertThat(c.failed()).isZero();
            assertThat(c.bytes()).isEqualTo(3L * stream.length);
        }
    }

    /** A fan-out that delivers at most {@code cap} events/s to L listeners together and drops the rest. */
    private static FanoutRamp.StepProbe model(int listeners, double cap, double sourceLimit) {
        return offered -> {
            double exits = Math.min(offered, sourceLimit);
            double sent = exits * listeners;
            double delivered = Math.min(sent, cap);
            return new FanoutStep(offered, 4, exits, delivered, delivered, (sent - delivered) * 4, exits < offered ? 1000 : 0,
                    sent > cap ? 3 : 0, null, 2);
        };
    }

    @Test
    void rampStopsWhereDeliveryStopsGrowingAndSaysWhy() throws Exception {
        List<FanoutStep> seen = new ArrayList<>();
        FanoutRamp.Result drops = new FanoutRamp(50_000, 4_000_000, 1.5, 0.05, 2).run(model(8, 1_500_000, 1e9), seen::add);
        assertThat(drops.best().deliveredPerSecond()).isEqualTo(1_500_000);
        assertThat(drops.best().dropped()).isPositive();
        assertThat(drops.lossFree().deliveredPerSecond()).isEqualTo(8 * 168_750);
        assertThat(drops.limit()).isEqualTo(FanoutRamp.Limit.DROPS);
        assertThat(seen).isEqualTo(drops.steps());
        assertThat(drops.steps()).hasSize(7);                        // two steps in a row without gain end the ramp

        FanoutRamp.Result impatient = new FanoutRamp(50_000, 4_000_000, 1.5, 0.05, 1).run(model(8, 1_500_000, 1e9), s -> { });
        assertThat(impatient.steps()).hasSize(6);

        FanoutRamp.Result source = new FanoutRamp(50_000, 4_000_000, 1.5, 0.05, 2).run(model(1, 1e9, 300_000), s -> { });
        assertThat(source.best().deliveredPerSecond()).isEqualTo(300_000);
        assertThat(source.lossFree().deliveredPerSecond()).isEqualTo(300_000);
        assertThat(source.limit()).isEqualTo(FanoutRamp.Limit.SOURCE);

        FanoutRamp.Result max = new FanoutRamp(50_000, 100_000, 1.5, 0.05, 2).run(model(1, 1e9, 1e9), s -> { });
        assertThat(max.steps()).extracting(FanoutStep::offeredPerSecond).containsExactly(50_000.0, 75_000.0, 100_000.0);
        assertThat(max.limit()).isEqualTo(FanoutRamp.Limit.MAX_RATE);
        assertThatThrownBy(() -> new FanoutRamp(10, 5, 1.5, 0.05, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void probeOverHttpAndRealSocketsFindsTheStandInsCapacity() throws Exception {
        double capPerListener = 30_000;
        try (StandInBroker broker = StandInBroker.streaming(64, capPerListener);
             FanoutListeners.Child child = FanoutListeners.Child.start(broker.address(), 2, "0-63", 0, 0, List.of("-Xmx64m"),
                     Path.of("target", "fanout-probe-test.log"), Duration.ofSeconds(30))) {
            FanoutBenchmark.Probe probe = new FanoutBenchmark.Probe(new Http(Duration.ofSeconds(5)), broker.base(), 0, child, 64,
                    Duration.ofMillis(100), Duration.ofMillis(400));
            FanoutRamp.Result r = new FanoutRamp(5_000, 200_000, 2, 0.1, 2).run(probe, s -> { });

            FanoutStep first = r.steps().getFirst();
            assertThat(first.exitsPerSecond()).isBetween(3_500.0, 6_500.0);
            assertThat(first.deliveredPerSecond()).isBetween(7_000.0, 13_000.0);             // 2 listeners: two copies of each exit
            assertThat(first.dropped()).isZero();
            assertThat(r.best().deliveredPerSecond()).isBetween(0.6 * 2 * capPerListener, 1.3 * 2 * capPerListener);
            assertThat(r.steps().stream().anyMatch(s -> s.dropped() > 0)).isTrue();
            assertThat(r.limit()).isIn(FanoutRamp.Limit.DROPS, FanoutRamp.Limit.FLAT);
            assertThat(r.lossFreePerSecond()).isPositive().isLessThanOrEqualTo(r.best().deliveredPerSecond());
        }
    }

    @Test
    void resultLineCarriesDeliveredRateDropsAndBaseline() {
        FanoutStep best = new FanoutStep(250_000, 4, 240_000, 1_700_000, 1_650_000, 800_000, 0, 12, new FanoutStep.Cores(1.1, 0.6, 1.98), 35);
        FanoutRamp.Result r = new FanoutRamp.Result(List.of(best), best, null, FanoutRamp.Limit.DROPS);
        SummaryLine line = FanoutBenchmark.summary("n64.l8", List.of(r), new Spread(List.of(1_650_000.0)), new Spread(List.of(0.0)),
                new Spread(List.of(2_000_000.0, 2_200_000.0)), 8);
        SummaryLine back = SummaryLine.parse(line.format());
        assertThat(back.name()).isEqualTo("fanout.n64.l8");
        assertThat(back.unit()).isEqualTo("events/s");
        assertThat(back.ratio()).isBetween(0.78, 0.79);
        assertThat(back.tags()).containsEntry("exits_per_s", "240000").containsEntry("dropped", "800000").containsEntry("limit", "DROPS")
                .containsEntry("lossfree", "0").containsEntry("cores_emulator", "1.10").containsEntry("dropped_pct", "10.526").containsEntry("scrape_ms", "35");
    }

    @Test
    void optionsAreDeclaredAndUnknownOnesRefused() {
        Options o = Options.parse(List.of("--listeners", "1,4,8", "--repeat", "3"), Set.of("jfr", "help"));
        FanoutBenchmark.fromOptions(o, System.out);
        o.flag("help", "");
        o.rejectUnknown();
        assertThat(o.usage()).contains("--listeners", "--rcvbuf", "--start-rate", "--baseline-connections");

        Options unknown = Options.parse(List.of("--listener", "8"), Set.of());
        FanoutBenchmark.fromOptions(unknown, System.out);
        assertThatThrownBy(unknown::rejectUnknown).hasMessageContaining("unknown option --listener");
        assertThatThrownBy(() -> FanoutBenchmark.fromOptions(Options.parse(List.of("--listeners", "0"), Set.of()), System.out))
                .hasMessageContaining("not within");
    }

    @Test
    void brokerCountersReadTheEmulatorsMetricNames() {
        FanoutBenchmark.BrokerCounters c = FanoutBenchmark.BrokerCounters.parse("""
                tsfleet_broker_exits_total{application="emulator"} 1000
                tsfleet_broker_events_sent_total{application="emulator"} 7000
                tsfleet_broker_events_dropped_total{application="emulator",reason="congested"} 600
                tsfleet_broker_events_dropped_total{application="emulator",reason="connection_refused"} 50
                tsfleet_broker_events_dropped_total{application="emulator",reason="rcvbuf_full"} 400
                tsfleet_broker_workload_lagged_exits_total{application="emulator"} 3
                """, 5, 2);
        assertThat(c).isEqualTo(new FanoutBenchmark.BrokerCounters(5, 2, 1000, 7000, 1000, 3));
        assertThatThrownBy(() -> FanoutBenchmark.BrokerCounters.parse("tsfleet_broker_exits_total 1", 0, 0)).isInstanceOf(IllegalStateException.class);
    }
}
