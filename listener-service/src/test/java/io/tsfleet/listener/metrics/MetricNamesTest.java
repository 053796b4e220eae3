package io.tsfleet.listener.metrics;

import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link MetricNames} is the whole list: every {@code tsfleet_listener_*} family on {@code /actuator/prometheus} of a
 * running replica is one of its names, and every name is there (the coordinator's heartbeat meters only with a
 * coordinator, so not in this static-mask run). The Prometheus families are pinned too: dashboards, alerts and
 * docs/operations.md use them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MetricNamesTest {
    static final FakeBroker BROKER;

    static {
        try {
            BROKER = new FakeBroker("tok", 2).start();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The families as they were when MetricNames was written (without the coordinator's, see above). */
    private static final Set<String> FAMILIES = Set.of(
            "tsfleet_listener_broker_connect_failures", "tsfleet_listener_broker_refusals", "tsfleet_listener_records_dropped_with_node",
            "tsfleet_listener_node_owned_cpus", "tsfleet_listener_node_records", "tsfleet_listener_node_records_lost", "tsfleet_listener_node_duplicates", "tsfleet_listener_node_enobufs", "tsfleet_listener_capacity_records_per_second", "tsfleet_listener_deregistrations_unanswered",
            "tsfleet_listener_directives_refused", "tsfleet_listener_duplicates", "tsfleet_listener_enobufs", "tsfleet_listener_generation",
            "tsfleet_listener_handover_duration_seconds", "tsfleet_listener_handover_duration_seconds_max", "tsfleet_listener_handovers_aborted", "tsfleet_listener_handovers_in_flight",
            "tsfleet_listener_load_ratio", "tsfleet_listener_owned_cpus", "tsfleet_listener_ready", "tsfleet_listener_records",
            "tsfleet_listener_records_handed_over", "tsfleet_listener_records_held", "tsfleet_listener_records_lost",
            "tsfleet_listener_records_malformed", "tsfleet_listener_records_unattributed", "tsfleet_listener_records_unwritten",
            "tsfleet_listener_releases_forced", "tsfleet_listener_sink_backpressure_seconds", "tsfleet_listener_sink_errors",
            "tsfleet_listener_sink_dropped", "tsfleet_listener_sink_filtered", "tsfleet_listener_sink_latency_seconds",
            "tsfleet_listener_sink_lag_seconds", "tsfleet_listener_sink_queue_bytes", "tsfleet_listener_sink_records",
            "tsfleet_listener_target_cpus", "tsfleet_listener_task_delay_seconds", "tsfleet_listener_unregistered_seconds");

    private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (tsfleet_listener_\\w+) \\w+$");

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) throws Exception {
        r.add("tsfleet.listener.broker", BROKER::address);
        r.add("tsfleet.listener.broker-token", () -> "tok");
        r.add("tsfleet.listener.static-mask", () -> "0-1");
        r.add("tsfleet.listener.id", () -> "replica-names");
        String sink = "jsonl:" + Files.createTempDirectory("listener-names").resolve("records.jsonl");
        r.add("tsfleet.listener.sink", () -> sink);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        BROKER.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    ReplicaEngine engine;

    @Test
    void everyFamilyOnThePrometheusEndpointIsAMetricNameAndNoneChanged() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(engine::ready);
        String prom;
        try (HttpClient client = HttpClient.newHttpClient()) {
            prom = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
        Set<String> families = new TreeSet<>();
        Matcher m = TYPE.matcher(prom);
        while (m.find()) families.add(m.group(1).replaceAll("_total$", ""));
        assertThat(families).isEqualTo(new TreeSet<>(FAMILIES));

        List<String> names = names();
        for (String family : families) {
            assertThat(names).as(family).anyMatch(n -> family.equals(n) || family.startsWith(n + "_"));
        }
        for (String name : names) {
            if (name.startsWith("tsfleet_listener_coordinator_")) continue;
            assertThat(families).as(name).anyMatch(f -> f.equals(name) || f.startsWith(name + "_"));
        }
    }

    /** The names of {@link MetricNames}, in Prometheus form without unit suffixes. */
    private static List<String> names() {
        return Arrays.stream(MetricNames.class.getDeclaredFields()).filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(MetricNamesTest::value).map(n -> n.replace('.', '_')).collect(Collectors.toList());
    }

    private static String value(Field f) {
        try {
            return (String) f.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
