package io.tsfleet.listener.config;

import io.tsfleet.listener.ListenerApplication;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.listener.engine.SinkFanOut;
import io.tsfleet.listener.engine.SinkPipeline;
import io.tsfleet.listener.engine.SinkPolicy;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code tsfleet.listener.sink} as a list in the running service: every sink gets every record, with its own series on
 * {@code /actuator/prometheus}; scheme-scoped options reach their sink only; a bad list stops the start with a message
 * that says what is wrong.
 */
class SinkListApplicationTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    private ConfigurableApplicationContext start(String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--tsfleet.listener.static-mask=0-1", "--tsfleet.listener.id=sink-list"));
        args.addAll(List.of(more));
        if (args.stream().noneMatch(a -> a.startsWith("--tsfleet.listener.broker="))) args.add("--tsfleet.listener.broker=127.0.0.1:1");
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ListenerApplication.class).run(args.toArray(String[]::new));
        toClose.add(ctx::close);
        return ctx;
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) sb.append(c.getMessage()).append('\n');
        return sb.toString();
    }

    @Test
    void jsonlAndNoneTogetherEachGetEveryRecordWithTheirOwnSeriesAndScopedOptions() throws Exception {
        FakeBroker broker = new FakeBroker(null, 2).start();
        toClose.add(broker);
        Path dir = Files.createTempDirectory("sink-list");
        Path file = dir.resolve("r.jsonl");
        ConfigurableApplicationContext ctx = start("--tsfleet.listener.broker=" + broker.address(), "--tsfleet.listener.sink=jsonl:" + file + ",none",
                "--tsfleet.listener.sink-options.jsonl.max-file-bytes=512MB", "--tsfleet.listener.sink-options.none.when-slow=drop",
                "--tsfleet.listener.sink-options.none.processes-only=true", "--tsfleet.listener.sink-options.queue=1MB");
        ReplicaEngine engine = ctx.getBean(ReplicaEngine.class);
        await().atMost(Duration.ofSeconds(10)).until(engine::ready);
        SinkFanOut sinks = ctx.getBean(SinkFanOut.class);
        assertThat(sinks.pipelines()).extracting(SinkPipeline::name).containsExactly("jsonl", "none");
        assertThat(sinks.pipelines()).extracting(SinkPipeline::policy)
                .containsExactly(SinkPolicy.DEFAULT, new SinkPolicy(SinkPolicy.WhenSlow.DROP, true));

        for (int i = 0; i < 20; i++) assertThat(broker.exit(i % 2, 100 + i, "both", false)).isNotNegative();
        await().atMost(Duration.ofSeconds(10)).until(() -> sinks.pipelines().get(0).recordsWritten() == 20
                && sinks.pipelines().get(1).recordsWritten() == 20);
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readAllLines(file).size() == 20);
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line);
            assertThat(n.get("cpu").asInt()).isBetween(0, 1);
        }

        String base = "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port");
        String prom;
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            prom = r.body();
            JsonNode cpus = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/cpus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(cpus.toString()).contains("jsonl").contains("none (when slow: drop) (processes only)");
        }
        for (String sink : List.of("jsonl", "none")) {
            assertThat(metric(prom, "tsfleet_listener_sink_records_total", sink)).isEqualTo(20);
            assertThat(metric(prom, "tsfleet_listener_sink_errors_total", sink)).isZero();
            assertThat(metric(prom, "tsfleet_listener_sink_dropped_total", sink)).isZero();
            assertThat(metric(prom, "tsfleet_listener_sink_filtered_total", sink)).isZero(); // FakeBroker's records are processes
            assertThat(metric(prom, "tsfleet_listener_sink_latency_seconds_count", sink)).isEqualTo(20);
            assertThat(metric(prom, "tsfleet_listener_sink_queue_bytes", sink)).isZero();
            assertThat(prom).containsPattern("(?m)^tsfleet_listener_sink_lag_seconds\\{[^}]*sink=\"" + sink + "\"");
            assertThat(prom).containsPattern("(?m)^tsfleet_listener_sink_backpressure_seconds_total\\{[^}]*sink=\"" + sink + "\"");
        }
    }

    private static double metric(String prom, String name, String sink) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*sink=\"" + sink + "\"[^}]*} (\\S+)$").matcher(prom);
        assertThat(m.find()).as(name + "{sink=" + sink + "}").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aDuplicateSinkIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.sink=none,none"))
                .satisfies(e -> assertThat(messages(e)).contains("tsfleet.listener.sink 'none,none': sink 'none' is listed twice"));
    }

    @Test
    void anEmptyEntryIsRefused() throws Exception {
        Path file = Files.createTempDirectory("sink-list").resolve("r.jsonl");
        assertThatThrownBy(() -> start("--tsfleet.listener.sink=jsonl:" + file + ",,none"))
                .satisfies(e -> assertThat(messages(e)).contains("entry 2 of 3 is empty"));
    }

    @Test
    void anUnknownSchemeInTheListIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.sink=none,bogus:x"))
                .satisfies(e -> assertThat(messages(e)).contains("unknown sink scheme 'bogus' in entry 'bogus:x'"));
    }

    @Test
    void aBadPipelineOptionIsRefusedNamingTheSink() {
        assertThatThrownBy(() -> start("--tsfleet.listener.sink=none", "--tsfleet.listener.sink-options.none.when-slow=sometimes"))
                .satisfies(e -> assertThat(messages(e)).contains("sink 'none': sink option when-slow='sometimes' is not block or drop"));
        assertThatThrownBy(() -> start("--tsfleet.listener.sink=none", "--tsfleet.listener.sink-options.processes-only=yes"))
                .satisfies(e -> assertThat(messages(e)).contains("sink 'none': sink option processes-only='yes' is not true or false"));
        assertThatThrownBy(() -> start("--tsfleet.listener.sink=none", "--tsfleet.listener.sink-options.none.queue=1KB"))
                .satisfies(e -> assertThat(messages(e)).contains("sink 'none': sink option queue=1KB is below 65536 bytes"));
    }

    @Test
    void aBadOptionOfTheSinkItselfIsRefusedNamingTheSinkAndSinksOpenedBeforeAreClosed() throws Exception {
        Path file = Files.createTempDirectory("sink-list").resolve("r.jsonl");
        assertThatThrownBy(() -> start("--tsfleet.listener.sink=none,jsonl:" + file, "--tsfleet.listener.sink-options.jsonl.max-file-bytes=huge"))
                .satisfies(e -> assertThat(messages(e)).contains("sink 'jsonl:" + file + "': sink option max-file-bytes='huge' is not a size"));
    }
}
