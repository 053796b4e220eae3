package io.tsfleet.coordinator.web;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.coordinator.kubernetes.LeaderPodLabel;
import io.tsfleet.coordinator.kubernetes.MockApiServer;
import io.tsfleet.coordinator.service.CoordinatorService;
import io.tsfleet.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Over real HTTP, with the coordinator's own fabric8 client talking to the mock API server: readiness is health only
 * (a standby is Ready), the leader routes the Service's traffic to itself with the role label on its own pod and
 * clears the stale leader label of a dead predecessor, and a standby that still gets a heartbeat refuses it (503,
 * nothing applied).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.possible-cpus=0-15",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.kubernetes.enabled=true",
        "tsfleet.coordinator.kubernetes.namespace=fleet",
        "tsfleet.coordinator.kubernetes.retry-period=200ms",
        "tsfleet.coordinator.kubernetes.leader-label.enabled=true",
        "tsfleet.coordinator.kubernetes.leader-label.pod-name=coord-a",
        "tsfleet.coordinator.kubernetes.leader-label.peer-selector=app.kubernetes.io/instance=fleet-a,app.kubernetes.io/component=coordinator",
        "tsfleet.coordinator.security.admin-tokens=label-admin",
        "tsfleet.coordinator.security.replica-tokens=label-replica"})
class LeaderLabelRoutingTest {
    static final MockApiServer API = new MockApiServer();
    private static final Map<String, String> RELEASE = Map.of("app.kubernetes.io/instance", "fleet-a", "app.kubernetes.io/component", "coordinator");
    private static final List<String> CLIENT_SETTINGS = List.of("kubernetes.master", "kubernetes.namespace", "kubernetes.auth.tryKubeConfig",
            "kubernetes.auth.tryServiceAccount", "kubernetes.request.retry.backoffLimit");

    static {
        Map<String, String> deadLeader = new HashMap<>(RELEASE);
        deadLeader.put(LeaderPodLabel.DEFAULT_KEY, "leader");
        pod("coord-old", deadLeader);
        pod("coord-a", RELEASE);
        System.setProperty("kubernetes.master", API.client().getMasterUrl().toString());
        System.setProperty("kubernetes.namespace", "fleet");
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        System.setProperty("kubernetes.request.retry.backoffLimit", "0");
    }

    private static void pod(String name, Map<String, String> labels) {
        API.client().pods().inNamespace("fleet").resource(new PodBuilder().withNewMetadata().withName(name).withNamespace("fleet")
                .withLabels(labels).endMetadata().build()).create();
    }

    @AfterAll
    static void stopApi() {
        CLIENT_SETTINGS.forEach(System::clearProperty);
        API.close();
    }

    @LocalServerPort
    int port;
    @Autowired
    CoordinatorService service;
    @Autowired
    JsonMapper json;

    private static String role(String pod) {
        return API.client().pods().inNamespace("fleet").withName(pod).get().getMetadata().getLabels().get(LeaderPodLabel.DEFAULT_KEY);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as(what).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    private RawHttp.Response heartbeat(String id) throws Exception {
        return RawHttp.send(port, "POST", "/internal/v1/replicas/" + id + "/heartbeat", "label-replica",
                json.writeValueAsString(Heartbeats.empty(id, "i-" + id, 0)));
    }

    @Test
    void theLeaderIsSelectedByItsPodLabelAndAStandbyIsReadyButRefusesWrites() throws Exception {
        await("leads through the mock API server's Lease and labels its pod", () -> service.isLeader() && "leader".equals(role("coord-a")));
        await("the dead leader's stale label is cleared", () -> "standby".equals(role("coord-old")));
        assertThat(RawHttp.send(port, "GET", "/actuator/health/readiness", null, null).status()).isEqualTo(200);
        assertThat(heartbeat("r1").status()).isEqualTo(200);
        String metrics = RawHttp.send(port, "GET", "/actuator/prometheus", null, null).body();
        assertThat(metrics).containsPattern("tsfleet_coordinator_leader_label_synced\\{[^}]*\\} 1\\.0")
                .containsPattern("tsfleet_coordinator_leader_label_stale_cleared_total\\{[^}]*\\} 1\\.0")
                .containsPattern("tsfleet_coordinator_leader_label_failures_total\\{[^}]*\\} 0\\.0");

        service.stop(); // leaves the election: a standby now
        try {
            assertThat(role("coord-a")).isEqualTo("standby");
            RawHttp.Response ready = RawHttp.send(port, "GET", "/actuator/health/readiness", null, null);
            assertThat(ready.status()).as("a healthy standby is Ready").isEqualTo(200);
            // a standby that the Service still selects for a moment (a stale label) refuses writes, as before
            RawHttp.Response refused = heartbeat("r2");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            assertThat(refused.header("Retry-After")).isEqualTo("2");
        } finally {
            service.start();
        }
        await("leads and is labelled again", () -> service.isLeader() && "leader".equals(role("coord-a")));
        assertThat(service.call(c -> c.replicas()).stream().map(r -> r.id()).toList()).doesNotContain("r2");
    }
}
