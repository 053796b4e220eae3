package io.tsfleet.coordinator.kubernetes;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Queue;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The leader's pod label against the fabric8 mock API server in CRUD mode: the leader labels its own pod
 * {@code leader} when it gains the Lease and {@code standby} when it loses it, a stale leader label of another
 * coordinator pod of the release is set back to {@code standby}, and a failed patch is counted and retried.
 */
class LeaderPodLabelTest {
    private static final String KEY = LeaderPodLabel.DEFAULT_KEY;
    private static final Map<String, String> RELEASE = Map.of("app.kubernetes.io/instance", "fleet-a", "app.kubernetes.io/component", "coordinator");

    private MockApiServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new MockApiServer();
        client = server.client();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void pod(String name, Map<String, String> labels) {
        client.pods().inNamespace("fleet").resource(new PodBuilder().withNewMetadata().withName(name).withNamespace("fleet")
                .withLabels(labels).endMetadata().build()).create();
    }

    private String role(String pod) {
        return client.pods().inNamespace("fleet").withName(pod).get().getMetadata().getLabels().get(KEY);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as(what).isBefore(deadline);
            Thread.sleep(20);
        }
    }

    private PodLabellingLeadership candidate(String pod) {
        return new PodLabellingLeadership(
                new KubernetesLeaseLeadership(client, "fleet", "coordinator-leader", pod, Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200)),
                new LeaderPodLabel(client, "fleet", pod, KEY, RELEASE), Duration.ofMillis(200));
    }

    @Test
    void theLeaderLabelsItsOwnPodAndTheStandbyAfterItLosesTheLease() throws Exception {
        pod("coord-a", RELEASE);
        pod("coord-b", RELEASE);
        PodLabellingLeadership a = candidate("coord-a");
        PodLabellingLeadership b = candidate("coord-b");
        try {
            a.start(() -> { }, () -> { });
            await("coord-a leads and is labelled leader", () -> a.isLeader() && "leader".equals(role("coord-a")));
            b.start(() -> { }, () -> { });
            await("coord-b is labelled standby", () -> "standby".equals(role("coord-b")));
            assertThat(b.isLeader()).isFalse();
            assertThat(role("coord-a")).isEqualTo("leader");

            a.stop(); // gives up the Lease and its label
            assertThat(role("coord-a")).isEqualTo("standby");
            await("coord-b takes over and is labelled leader", () -> b.isLeader() && "leader".equals(role("coord-b")));
            assertThat(role("coord-a")).isEqualTo("standby");
        } finally {
            a.stop();
            b.stop();
        }
        assertThat(role("coord-b")).as("a coordinator that shuts down leaves as standby").isEqualTo("standby");
    }

    @Test
    void theLeaderLabelLeavesWhenTheLeaseIsLostToAnotherHolder() throws Exception {
        pod("coord-a", RELEASE);
        PodLabellingLeadership a = candidate("coord-a");
        try {
            a.start(() -> { }, () -> { });
            await("coord-a is labelled leader", () -> "leader".equals(role("coord-a")));
            a.relinquish(); // the term ends (as when a renewal fails): the stop callback runs
            await("coord-a is labelled standby while it has no term", () -> !a.isLeader() && "standby".equals(role("coord-a")));
        } finally {
            a.stop();
        }
    }

    @Test
    void aNewLeaderClearsTheStaleLeaderLabelOfADeadOneButNotOtherReleases() throws Exception {
        // coord-old led, its process died and its pod (restarting, or cut off) still carries the leader label
        pod("coord-old", withRole(RELEASE, "leader"));
        Map<String, String> otherRelease = Map.of("app.kubernetes.io/instance", "fleet-b", "app.kubernetes.io/component", "coordinator");
        pod("other-release-leader", withRole(otherRelease, "leader"));
        pod("coord-a", RELEASE);
        LeaderPodLabel label = new LeaderPodLabel(client, "fleet", "coord-a", KEY, RELEASE);
        PodLabellingLeadership a = new PodLabellingLeadership(
                new KubernetesLeaseLeadership(client, "fleet", "coordinator-leader", "coord-a", Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200)),
                label, Duration.ofMillis(200));
        try {
            a.start(() -> { }, () -> { });
            await("coord-a is labelled leader", () -> "leader".equals(role("coord-a")));
            assertThat(role("coord-old")).as("the dead leader's label").isEqualTo("standby");
            assertThat(role("other-release-leader")).as("another release's leader is not ours to touch").isEqualTo("leader");
            assertThat(label.staleLabelsCleared()).isEqualTo(1);

            // the old pod's container restarts and something writes the leader label back: cleared on the next sync
            client.pods().inNamespace("fleet").withName("coord-old").edit(p -> {
                p.getMetadata().getLabels().put(KEY, "leader");
                return p;
            });
            await("the stale label is cleared again on a later sync", () -> "standby".equals(role("coord-old")));
            assertThat(role("coord-a")).isEqualTo("leader");
        } finally {
            a.stop();
        }
    }

    @Test
    void aRestartedCoordinatorTakesBackItsOwnStaleLeaderLabelAtStart() throws Exception {
        pod("coord-a", withRole(RELEASE, "leader"));
        LeaderPodLabel label = new LeaderPodLabel(client, "fleet", "coord-a", KEY, RELEASE);
        PodLabellingLeadership standby = new PodLabellingLeadership(new Leadership() {
            public void start(Runnable s, Runnable t) { }
            public boolean isLeader() { return false; }
            public void stop() { }
            public String describe() { return "never leads"; }
        }, label, Duration.ofMillis(200));
        standby.start(() -> { }, () -> { });
        try {
            await("the stale leader label is taken back at start", () -> "standby".equals(role("coord-a")));
        } finally {
            standby.stop();
        }
    }

    @Test
    void aFailedPatchIsCountedAndRetriedOnTheNextSync() {
        LeaderPodLabel label = new LeaderPodLabel(client, "fleet", "coord-a", KEY, RELEASE);
        label.want(LeaderPodLabel.Role.LEADER);
        // the pod is not there (yet): the API server answers 404
        assertThat(label.sync()).isFalse();
        assertThat(label.sync()).isFalse();
        assertThat(label.failures()).isEqualTo(2);
        assertThat(label.inSync()).isFalse();

        pod("coord-a", RELEASE);
        assertThat(label.sync()).isTrue();
        assertThat(label.inSync()).isTrue();
        assertThat(role("coord-a")).isEqualTo("leader");
        assertThat(label.failures()).isEqualTo(2);
    }

    @Test
    void aLeaderThatCannotListItsPeersStillLabelsItselfAndCountsTheFailure() {
        // a CRUD mock API server that refuses the list of the peers with 403, as RBAC without "list" would
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMockServer refusing = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        refusing.init();
        try (KubernetesClient c = refusing.createClient(new JdkHttpClientFactory())) {
            refusing.expect().get().withPath("/api/v1/namespaces/fleet/pods?labelSelector="
                            + URLEncoder.encode("app=fleet-a," + KEY + "=leader", StandardCharsets.UTF_8))
                    .andReturn(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403}")
                    .always();
            c.pods().inNamespace("fleet").resource(new PodBuilder().withNewMetadata().withName("coord-a").withNamespace("fleet")
                    .withLabels(Map.of("app", "fleet-a")).endMetadata().build()).create();
            LeaderPodLabel label = new LeaderPodLabel(c, "fleet", "coord-a", KEY, Map.of("app", "fleet-a"));
            label.want(LeaderPodLabel.Role.LEADER);
            assertThat(label.sync()).isFalse();
            assertThat(label.failures()).isEqualTo(1);
            assertThat(label.inSync()).as("its own label is on all the same").isTrue();
            assertThat(c.pods().inNamespace("fleet").withName("coord-a").get().getMetadata().getLabels()).containsEntry(KEY, "leader");
            assertThat(label.sync()).isFalse();
            assertThat(label.failures()).as("retried and counted again").isEqualTo(2);
        } finally {
            refusing.destroy();
        }
    }

    @Test
    void selectorsAreEqualityTermsOnly() {
        assertThat(LeaderPodLabel.parseSelector("app.kubernetes.io/instance=fleet-a, app.kubernetes.io/component=coordinator"))
                .containsExactly(Map.entry("app.kubernetes.io/instance", "fleet-a"), Map.entry("app.kubernetes.io/component", "coordinator"));
        for (String bad : new String[] {"app", "app=", "=x", "a!=b", "a==b"}) {
            assertThatThrownBy(() -> LeaderPodLabel.parseSelector(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new LeaderPodLabel(client, "fleet", "coord-a", KEY, Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, String> withRole(Map<String, String> labels, String role) {
        var m = new java.util.HashMap<>(labels);
        m.put(KEY, role);
        return m;
    }
}
