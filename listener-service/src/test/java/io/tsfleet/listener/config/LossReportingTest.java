package io.tsfleet.listener.config;

import io.tsfleet.listener.testing.Wire;
import io.tsfleet.listener.ListenerApplication;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.listener.engine.SinkFanOut;
import io.tsfleet.listener.testing.MockCoordinator;
import io.tsfleet.listener.testing.Tmpfs;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.listener.sink.RecordSink;
import io.tsfleet.listener.sink.RecordSinkProvider;
import io.tsfleet.listener.sink.SinkContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Records the replica kept but could not write are reported where an operator looks: per CPU in
 * {@code GET /api/v1/cpus} and in the heartbeat's {@code cpuLost}, and in the totals ({@code lostTotal},
 * {@code tsfleet_listener_records_lost_total}, {@code _records_unwritten_total}). The service runs as it does in
 * production (Spring Boot, HTTP, a broker over TCP, a coordinator over HTTP).
 */
class LossReportingTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    private ConfigurableApplicationContext start(FakeBroker broker, MockCoordinator coordinator, String... more) {
        return start(new Class<?>[0], broker, coordinator, more);
    }

    private ConfigurableApplicationContext start(Class<?>[] extra, FakeBroker broker, MockCoordinator coordinator, String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--tsfleet.listener.broker=" + broker.address(),
                "--tsfleet.listener.coordinator-url=" + coordinator.url(), "--tsfleet.listener.id=loss-test",
                "--tsfleet.listener.heartbeat-interval=100ms", "--tsfleet.listener.drain-timeout=300ms"));
        args.addAll(List.of(more));
        coordinator.answer(Wire.directive(1, "0-1", Map.of(), 100, 5000));
        List<Class<?>> sources = new ArrayList<>(List.of(ListenerApplication.class));
        sources.addAll(List.of(extra));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(sources.toArray(Class<?>[]::new)).run(args.toArray(String[]::new));
        toClose.add(ctx::close);
        await().atMost(Duration.ofSeconds(10)).until(ctx.getBean(ReplicaEngine.class)::ready);
        return ctx;
    }

    @Test
    void recordsAFullDeviceCouldNotTakeAreCountedPerCpuInTheApiTheMetricsAndTheHeartbeat() throws Exception {
        Tmpfs tmpfs = Tmpfs.mount("64k");
        toClose.add(tmpfs);
        FakeBroker broker = new FakeBroker(null, 2).start();
        toClose.add(broker);
        MockCoordinator coordinator = new MockCoordinator();
        toClose.add(coordinator);
        Path file = tmpfs.dir().resolve("records.jsonl");
        ConfigurableApplicationContext ctx = start(broker, coordinator, "--tsfleet.listener.sink=jsonl:" + file,
                "--tsfleet.listener.sink-options.max-file-bytes=8192", "--tsfleet.listener.sink-options.max-files=100");
        String base = "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port");
        ReplicaEngine engine = ctx.getBean(ReplicaEngine.class);
        SinkFanOut pipeline = ctx.getBean(SinkFanOut.class);

        long[] emitted = new long[2];
        for (int i = 0; i < 12; i++) emitted[i % 2] += broker.exit(i % 2, 100 + i, "before", false) >= 0 ? 1 : 0;
        await().atMost(Duration.ofSeconds(10)).until(() -> lines(tmpfs.dir()).size() == 12);

        tmpfs.fill();
        for (int i = 0; i < 40; i++) emitted[i % 2] += broker.exit(i % 2, 200 + i, "full", false) >= 0 ? 1 : 0;
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.totals().records.sum() == 52 && pipeline.queuedBytes() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.totals().unwritten.sum() > 0);

        tmpfs.free(); // the records the sink still buffered are written with the next ones
        for (int i = 0; i < 2; i++) emitted[i % 2] += broker.exit(i % 2, 300 + i, "after", false) >= 0 ? 1 : 0;
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.totals().records.sum() == 54 && pipeline.queuedBytes() == 0
                && lines(tmpfs.dir()).size() + engine.totals().unwritten.sum() == 54);

        long[] written = new long[2];
        for (JsonNode line : lines(tmpfs.dir())) written[line.get("cpu").asInt()]++;
        JsonNode cpus = get(base + "/api/v1/cpus").get("cpus");
        long unwrittenTotal = 0;
        for (int cpu = 0; cpu < 2; cpu++) {
            long unwritten = cpus.get(cpu).get("unwritten").asLong();
            assertThat(written[cpu] + unwritten).as("cpu %d: written + unwritten = emitted", cpu).isEqualTo(emitted[cpu]);
            assertThat(cpus.get(cpu).get("lost").asLong()).as("no sequence gap on cpu %d", cpu).isZero();
            unwrittenTotal += unwritten;
        }
        assertThat(unwrittenTotal).isPositive();
        String prom = getText(base + "/actuator/prometheus");
        assertThat(metric(prom, "tsfleet_listener_records_unwritten_total")).isEqualTo(unwrittenTotal);
        assertThat(metric(prom, "tsfleet_listener_records_lost_total")).isEqualTo(unwrittenTotal);
        assertThat(metric(prom, "tsfleet_listener_sink_errors_total")).isEqualTo(unwrittenTotal);

        long total = unwrittenTotal;
        await().atMost(Duration.ofSeconds(10)).until(() -> lastHeartbeat(coordinator).lostTotal() == total);
        long[] reported = new long[2];
        for (MockCoordinator.Call call : coordinator.calls()) {
            ReplicaHeartbeat hb = call.heartbeat();
            if (hb == null || Wire.report(hb).cpuLost() == null || !Wire.report(hb).ownedCpus().equals("0-1")) continue;
            for (int cpu = 0; cpu < 2; cpu++) reported[cpu] += Wire.report(hb).cpuLost().get(cpu);
        }
        for (int cpu = 0; cpu < 2; cpu++) {
            assertThat(reported[cpu]).as("cpuLost reported for cpu %d", cpu).isEqualTo(emitted[cpu] - written[cpu]);
        }
    }

    @Test
    void anUnansweredDeregisterAtShutdownCountsTheBacklogTheSinkCouldNotTakeInTheFinalHeartbeat() throws Exception {
        FakeBroker broker = new FakeBroker(null, 2).start();
        toClose.add(broker);
        MockCoordinator coordinator = new MockCoordinator();
        toClose.add(coordinator);
        // a sink that takes 20 records/s behind two 4 KB batches: the readers stop reading, the backlog waits in TCP
        ConfigurableApplicationContext ctx = start(broker, coordinator, "--tsfleet.listener.sink=none",
                "--tsfleet.listener.sink-options.max-records-per-second=20", "--tsfleet.listener.sink-batch=4KB",
                "--tsfleet.listener.sink-queue=8KB", "--tsfleet.listener.deregister-timeout=500ms");
        ReplicaEngine engine = ctx.getBean(ReplicaEngine.class);
        SinkFanOut pipeline = ctx.getBean(SinkFanOut.class);
        int emitted = 0;
        for (int i = 0; i < 600; i++) if (broker.exit(i % 2, 1000 + i, "backlog", false) >= 0) emitted++;
        assertThat(emitted).isEqualTo(600);
        broker.answerNoDeregister(true);

        ctx.close();

        ReplicaHeartbeat last = lastHeartbeat(coordinator);
        assertThat(last.state()).isEqualTo(ReplicaHeartbeat.DRAINING);
        assertThat(Wire.report(last).ownedCpus()).isEmpty();
        long written = pipeline.recordsWritten();
        assertThat(written).isLessThan(emitted);
        assertThat(engine.totals().records.sum()).as("every record of the backlog was read").isEqualTo(emitted);
        assertThat(last.lostTotal()).as("the final heartbeat counts every record not written").isEqualTo(emitted - written);
        assertThat(last.recordsTotal()).isEqualTo(emitted);
        assertThat(engine.totals().unansweredDeregistrations.sum()).isEqualTo(2);
        for (int cpu = 0; cpu < 2; cpu++) assertThat(broker.listenerCount(cpu)).isZero();
    }

    @Test
    void recordsASlowDropSinkDroppedAreReportedAsLossPerCpuInTheHeartbeatWhileTheOtherSinkWritesEveryRecord() throws Exception {
        FakeBroker broker = new FakeBroker(null, 2).start();
        toClose.add(broker);
        MockCoordinator coordinator = new MockCoordinator();
        toClose.add(coordinator);
        Path dir = Files.createTempDirectory("loss-drop");
        Path file = dir.resolve("records.jsonl");
        // none takes every record; jsonl takes 50 records/s behind two 4 KB batches and drops what it cannot queue
        ConfigurableApplicationContext ctx = start(broker, coordinator, "--tsfleet.listener.sink=none,jsonl:" + file,
                "--tsfleet.listener.sink-batch=4KB", "--tsfleet.listener.sink-options.jsonl.when-slow=drop",
                "--tsfleet.listener.sink-options.jsonl.queue=8KB", "--tsfleet.listener.sink-options.jsonl.max-records-per-second=50");
        String base = "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port");
        ReplicaEngine engine = ctx.getBean(ReplicaEngine.class);
        SinkFanOut sinks = ctx.getBean(SinkFanOut.class);
        var none = sinks.pipelines().get(0);
        var jsonl = sinks.pipelines().get(1);

        long[] emitted = new long[2];
        for (int i = 0; i < 400; i++) emitted[i % 2] += broker.exit(i % 2, 1000 + i, "burst", false) >= 0 ? 1 : 0;
        assertThat(emitted[0] + emitted[1]).isEqualTo(400);
        await().atMost(Duration.ofSeconds(20)).until(() -> none.recordsWritten() == 400 && jsonl.queuedBytes() == 0
                && jsonl.recordsWritten() + jsonl.recordsDropped() == 400);
        await().atMost(Duration.ofSeconds(5)).until(() -> lines(dir).size() == jsonl.recordsWritten());

        long dropped = jsonl.recordsDropped();
        assertThat(dropped).as("the slow drop sink dropped").isPositive();
        assertThat(none.recordsDropped() + none.sinkErrors() + jsonl.sinkErrors()).isZero();
        long[] written = new long[2];
        for (JsonNode line : lines(dir)) written[line.get("cpu").asInt()]++;
        JsonNode cpus = get(base + "/api/v1/cpus").get("cpus");
        for (int cpu = 0; cpu < 2; cpu++) {
            assertThat(written[cpu] + cpus.get(cpu).get("unwritten").asLong()).as("cpu %d: written + dropped at jsonl = emitted", cpu)
                    .isEqualTo(emitted[cpu]);
        }
        String prom = getText(base + "/actuator/prometheus");
        assertThat(metric(prom, "tsfleet_listener_sink_dropped_total", "jsonl")).isEqualTo(dropped);
        assertThat(metric(prom, "tsfleet_listener_sink_dropped_total", "none")).isZero();
        assertThat(metric(prom, "tsfleet_listener_sink_records_total", "none")).isEqualTo(400);
        assertThat(metric(prom, "tsfleet_listener_sink_records_total", "jsonl")).isEqualTo(400 - dropped);
        assertThat(metric(prom, "tsfleet_listener_records_lost_total")).isEqualTo(dropped);

        await().atMost(Duration.ofSeconds(10)).until(() -> lastHeartbeat(coordinator).lostTotal() == dropped);
        long[] reported = new long[2];
        for (MockCoordinator.Call call : coordinator.calls()) {
            ReplicaHeartbeat hb = call.heartbeat();
            if (hb == null || Wire.report(hb).cpuLost() == null || !Wire.report(hb).ownedCpus().equals("0-1")) continue;
            for (int cpu = 0; cpu < 2; cpu++) reported[cpu] += Wire.report(hb).cpuLost().get(cpu);
        }
        for (int cpu = 0; cpu < 2; cpu++) {
            assertThat(reported[cpu]).as("cpuLost reported for cpu %d", cpu).isEqualTo(emitted[cpu] - written[cpu]);
        }
        assertThat(engine.totals().records.sum()).isEqualTo(400);
    }

    /**
     * A contributed sink ({@code refusing}) that confirms later, as Kafka does, and whose destination refuses every
     * record: its producer thread reports each one as failed after the write returned.
     */
    @Configuration(proxyBeanMethods = false)
    static class RefusingSinkConfig {
        @Bean
        RecordSinkProvider refusingSinkProvider() {
            return new RecordSinkProvider() {
                @Override
                public String scheme() {
                    return "refusing";
                }

                @Override
                public RecordSink open(String argument, SinkContext context) {
                    ExecutorService io = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("refusing-io").factory());
                    return new RecordSink() {
                        @Override
                        public void write(ExitRecordView record) {
                            RecordOrigin origin = record.origin();
                            int cpu = record.cpu();
                            io.execute(() -> context.outcomes().failed(origin, cpu, 1));
                        }

                        @Override
                        public void flush() {
                        }

                        @Override
                        public void close() throws IOException {
                            io.shutdown();
                            try {
                                if (!io.awaitTermination(5, TimeUnit.SECONDS)) throw new IOException("confirmations still pending");
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }

                        @Override
                        public String describe() {
                            return "refusing";
                        }

                        @Override
                        public boolean confirmsAsynchronously() {
                            return true;
                        }
                    };
                }
            };
        }
    }

    @Test
    void recordsASinkThatConfirmsLaterReportsAsFailedFromItsOwnThreadAreLossPerCpuInTheHeartbeat() throws Exception {
        FakeBroker broker = new FakeBroker(null, 2).start();
        toClose.add(broker);
        MockCoordinator coordinator = new MockCoordinator();
        toClose.add(coordinator);
        ConfigurableApplicationContext ctx = start(new Class<?>[] {RefusingSinkConfig.class}, broker, coordinator,
                "--tsfleet.listener.sink=none,refusing");
        String base = "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port");
        SinkFanOut sinks = ctx.getBean(SinkFanOut.class);
        var refusing = sinks.pipelines().get(1);

        long[] emitted = new long[2];
        for (int i = 0; i < 30; i++) emitted[i % 2] += broker.exit(i % 2, 500 + i, "refused", false) >= 0 ? 1 : 0;
        await().atMost(Duration.ofSeconds(10)).until(() -> refusing.sinkErrors() == 30);

        assertThat(refusing.recordsWritten()).as("write returned is not written for a sink that confirms later").isZero();
        assertThat(sinks.pipelines().get(0).recordsWritten()).isEqualTo(30);
        String prom = getText(base + "/actuator/prometheus");
        assertThat(metric(prom, "tsfleet_listener_sink_errors_total", "refusing")).isEqualTo(30);
        assertThat(metric(prom, "tsfleet_listener_sink_records_total", "refusing")).isZero();
        assertThat(metric(prom, "tsfleet_listener_records_lost_total")).isEqualTo(30);
        await().atMost(Duration.ofSeconds(10)).until(() -> lastHeartbeat(coordinator).lostTotal() == 30);
        long[] reported = new long[2];
        for (MockCoordinator.Call call : coordinator.calls()) {
            ReplicaHeartbeat hb = call.heartbeat();
            if (hb == null || Wire.report(hb).cpuLost() == null || !Wire.report(hb).ownedCpus().equals("0-1")) continue;
            for (int cpu = 0; cpu < 2; cpu++) reported[cpu] += Wire.report(hb).cpuLost().get(cpu);
        }
        assertThat(reported).as("cpuLost per CPU").containsExactly(emitted[0], emitted[1]);
    }

    private static long metric(String prom, String name, String sink) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*sink=\"" + sink + "\"[^}]*} (\\S+)$").matcher(prom);
        assertThat(m.find()).as(name + "{sink=" + sink + "}").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    private static ReplicaHeartbeat lastHeartbeat(MockCoordinator coordinator) {
        return coordinator.calls().stream().map(MockCoordinator.Call::heartbeat).filter(h -> h != null).reduce((a, b) -> b).orElseThrow();
    }

    private static List<JsonNode> lines(Path dir) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("records.jsonl")).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                assertThat(bytes.length == 0 || bytes[bytes.length - 1] == '\n').as("%s ends with a complete line", p).isTrue();
                for (String line : Files.readAllLines(p)) out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(getText(url));
    }

    private static String getText(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static long metric(String prom, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*} (\\S+)$").matcher(prom);
        assertThat(m.find()).as(name).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
