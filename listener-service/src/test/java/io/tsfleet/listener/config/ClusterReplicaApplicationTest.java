package io.tsfleet.listener.config;

import io.tsfleet.listener.ListenerApplication;
import io.tsfleet.listener.testing.MockCoordinator;
import io.tsfleet.listener.testing.Wire;
import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The replica of a cluster-wide fleet, as it runs in production (Spring Boot, HTTP, brokers over TCP, a coordinator
 * over HTTP) without {@code tsfleet.listener.broker}: it dials the brokers the directive names, one per node, reports
 * its node and zone and one {@code NodeReport} per node in its heartbeats, shows the node of each CPU over HTTP, and
 * publishes per-node series; a node target without broker is refused, and readiness says why.
 */
class ClusterReplicaApplicationTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutAConfiguredBrokerTheReplicaDialsTheBrokersTheCoordinatorNames() throws Exception {
        FakeBroker w1 = new FakeBroker(null, 4).node("worker-1").start();
        toClose.add(w1);
        FakeBroker w2 = new FakeBroker(null, 4).node("worker-2").start();
        toClose.add(w2);
        MockCoordinator coordinator = new MockCoordinator();
        toClose.add(coordinator);
        coordinator.answer(new ReplicaDirective(1, List.of(
                new NodeTarget("worker-1", w1.bootId(), w1.address(), "0-1", Map.of()),
                new NodeTarget("worker-2", w2.bootId(), w2.address(), "2", Map.of()),
                new NodeTarget("worker-3", null, null, "0", Map.of())), 100, 5000));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ListenerApplication.class).run("--server.port=0",
                "--tsfleet.listener.coordinator-url=" + coordinator.url(), "--tsfleet.listener.id=cluster-test",
                "--tsfleet.listener.node=worker-1", "--tsfleet.listener.zone=zone-a", "--tsfleet.listener.heartbeat-interval=100ms",
                "--tsfleet.listener.drain-timeout=300ms");
        toClose.add(ctx::close);
        int port = Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));

        await().atMost(Duration.ofSeconds(10)).until(() -> w1.cpusWithListeners().size() == 2 && w2.cpusWithListeners().size() == 1);
        for (int i = 0; i < 5; i++) {
            w1.exit(1, 100 + i, "one", false);
            w2.exit(2, 200 + i, "two", false);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ReplicaHeartbeat hb = coordinator.last().heartbeat();
            return hb != null && hb.recordsTotal() == 10 && Wire.report(hb, "worker-2").ownedCpus().equals("2");
        });
        ReplicaHeartbeat hb = coordinator.last().heartbeat();
        assertThat(hb.node()).isEqualTo("worker-1");
        assertThat(hb.zone()).isEqualTo("zone-a");
        assertThat(hb.nodes()).extracting(NodeReport::node).containsExactly("worker-1", "worker-2");
        assertThat(Wire.report(hb, "worker-1").ownedCpus()).isEqualTo("0-1");
        assertThat(Wire.report(hb, "worker-1").bootId()).isEqualTo(w1.bootId());
        assertThat(Wire.report(hb, "worker-2").bootId()).isEqualTo(w2.bootId());
        assertThat(coordinator.last().body()).contains("\"node\":\"worker-1\",\"zone\":\"zone-a\"");

        // readiness: worker-3 has no broker (none named, none configured): refused, and the reason is shown
        HttpResponse<String> readiness = get(port, "/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("the coordinator names no broker for node worker-3 and tsfleet.listener.broker is not set");

        JsonNode cpus = JSON.readTree(get(port, "/api/v1/cpus").body());
        assertThat(cpus.get("node").asString()).isEqualTo("worker-1");
        assertThat(cpus.get("target").isNull()).as("several nodes: see nodes").isTrue();
        assertThat(cpus.get("cpus").size()).isEqualTo(3);
        assertThat(cpus.get("cpus").get(2).get("node").asString()).isEqualTo("worker-2");
        assertThat(cpus.get("cpus").get(2).get("records").asLong()).isEqualTo(5);
        JsonNode two = JSON.readTree(get(port, "/api/v1/cpus/2").body());
        assertThat(two.get("node").asString()).isEqualTo("worker-2");

        String prom = get(port, "/actuator/prometheus").body();
        assertThat(prom).containsPattern("tsfleet_listener_node_records_total\\{[^}]*node=\"worker-1\"[^}]*} 5\\.0")
                .containsPattern("tsfleet_listener_node_records_total\\{[^}]*node=\"worker-2\"[^}]*} 5\\.0")
                .containsPattern("tsfleet_listener_node_owned_cpus\\{[^}]*node=\"worker-1\"[^}]*} 2\\.0")
                .containsPattern("tsfleet_listener_broker_refusals_total\\{[^}]*reason=\"no_broker\"[^}]*} 1\\.0")
                .containsPattern("tsfleet_listener_records_total\\{[^}]*} 10\\.0")
                .doesNotContain("cpu=\"");

        // worker-3 leaves the directive: the replica becomes ready; worker-2 leaves too: its connection is closed
        coordinator.answer(new ReplicaDirective(2, List.of(new NodeTarget("worker-1", w1.bootId(), w1.address(), "0-1", Map.of())), 100, 5000));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(port, "/actuator/health/readiness").statusCode() == 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> w2.cpusWithListeners().isEmpty());
        assertThat(get(port, "/actuator/prometheus").body()).doesNotContain("node=\"worker-2\"");
    }
}
