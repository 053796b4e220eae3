package io.tsfleet.coordinator.web;

import io.tsfleet.testing.RawHttp;
import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.coordinator.domain.view.ReplicaView;
import io.tsfleet.coordinator.kubernetes.TokenReviewApiServer;
import io.tsfleet.coordinator.service.CoordinatorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On Kubernetes, over real HTTP, with the coordinator's own fabric8 client talking to the mock API server (Lease
 * leadership and TokenReviews): a listener pod's projected service-account token sends the heartbeats of the replica
 * named like the pod and of no other; tokens that the API server does not authenticate, or that belong to another
 * service account, are 401; an API server that cannot review is 503 (fails closed).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.possible-cpus=0-15",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.kubernetes.enabled=true",
        "tsfleet.coordinator.kubernetes.namespace=fleet",
        "tsfleet.coordinator.kubernetes.retry-period=200ms",
        "tsfleet.coordinator.security.admin-tokens=review-admin",
        "tsfleet.coordinator.security.token-review.enabled=true",
        "tsfleet.coordinator.security.token-review.service-account=tsfleet-listener",
        "tsfleet.coordinator.security.token-review.cache-ttl=0s",
        "tsfleet.coordinator.security.token-review.node-service-account=tsfleet-node-agent"})
class TokenReviewHeartbeatTest {
    static final TokenReviewApiServer API = new TokenReviewApiServer();
    private static final List<String> CLIENT_SETTINGS = List.of("kubernetes.master", "kubernetes.namespace", "kubernetes.auth.tryKubeConfig",
            "kubernetes.auth.tryServiceAccount", "kubernetes.request.retry.backoffLimit");

    static {
        // the coordinator builds its client from the environment (KubernetesClientBuilder): point it at the mock
        System.setProperty("kubernetes.master", API.url());
        System.setProperty("kubernetes.namespace", "fleet");
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        System.setProperty("kubernetes.request.retry.backoffLimit", "0");
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

    @BeforeEach
    void leading() throws InterruptedException {
        API.failReviews(0);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!service.isLeader() && Instant.now().isBefore(deadline)) Thread.sleep(50);
        assertThat(service.isLeader()).as("leads through the mock API server's Lease").isTrue();
    }

    private RawHttp.Response heartbeat(String id, String token) throws IOException {
        return RawHttp.send(port, "POST", "/internal/v1/replicas/" + id + "/heartbeat", token, json.writeValueAsString(Heartbeats.empty(id, "i-" + id, 0)));
    }

    private List<String> replicas() {
        return service.call(c -> c.replicas()).stream().map(ReplicaView::id).toList();
    }

    private RawHttp.Response announce(String node, String token) throws IOException {
        return RawHttp.send(port, "PUT", "/internal/v1/nodes/" + node, token, json.writeValueAsString(
                new io.tsfleet.protocol.fleet.NodeAnnouncement(node, "0f6c3a52-5d1e-4d8e-9a51-3b1c2d4e5f60", "0-7", node + ":7411", "on", null)));
    }

    @Test
    void aNodeAgentsTokenAnnouncesOnlyTheNodeItsPodRunsOn() throws Exception {
        String agent = API.issueOnNode("fleet", "tsfleet-node-agent", "tsfleet-node-agent-k2x", "worker-3", "tsfleet-coordinator");
        assertThat(announce("worker-3", agent).status()).isEqualTo(200);
        RawHttp.Response other = announce("worker-4", agent);
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.body()).contains("cannot announce or withdraw node 'worker-4'");
        assertThat(RawHttp.send(port, "DELETE", "/internal/v1/nodes/worker-4", agent, null).status()).isEqualTo(403);
        assertThat(heartbeat("tsfleet-node-agent-k2x", agent).status()).as("a node agent is no replica").isEqualTo(403);
        String listener = API.issueOnNode("fleet", "tsfleet-listener", "tsfleet-listener-5c8d-z3", "worker-4", "tsfleet-coordinator");
        assertThat(announce("worker-4", listener).status()).as("a listener pod announces no node").isEqualTo(403);
        assertThat(service.call(c -> c.nodes()).stream().map(io.tsfleet.coordinator.domain.view.NodeView::name).toList()).containsExactly("worker-3");
        assertThat(RawHttp.send(port, "DELETE", "/internal/v1/nodes/worker-3", agent, null).status()).isEqualTo(204);
        assertThat(service.<List<io.tsfleet.coordinator.domain.view.NodeView>>call(c -> c.nodes())).isEmpty();
    }

    @Test
    void aPodsTokenSendsItsOwnHeartbeatsOnly() throws Exception {
        String token = API.issue("fleet", "tsfleet-listener", "tsfleet-listener-5c8d-x1", "tsfleet-coordinator");
        assertThat(heartbeat("tsfleet-listener-5c8d-x1", token).status()).isEqualTo(200);

        RawHttp.Response wrongPod = heartbeat("tsfleet-listener-5c8d-y2", token);
        assertThat(wrongPod.status()).isEqualTo(403);
        assertThat(wrongPod.header("Content-Type")).startsWith("application/problem+json");
        assertThat(wrongPod.body()).contains("cannot send the heartbeat of replica 'tsfleet-listener-5c8d-y2'");
        assertThat(replicas()).contains("tsfleet-listener-5c8d-x1").doesNotContain("tsfleet-listener-5c8d-y2");
        assertThat(RawHttp.send(port, "GET", "/api/v1/assignment", token, null).status()).as("a pod token cannot read the admin API").isEqualTo(403);
    }

    @Test
    void tokensOfNoListenerPodAre401() throws Exception {
        RawHttp.Response forged = heartbeat("p1", "eyJhbGciOiJSUzI1NiJ9.Zm9yZ2Vk.c2ln");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(forged.body()).contains("does not authenticate");

        String otherAccount = API.issue("fleet", "default", "p1", "tsfleet-coordinator");
        RawHttp.Response wrongAccount = heartbeat("p1", otherAccount);
        assertThat(wrongAccount.status()).isEqualTo(401);
        assertThat(wrongAccount.body()).contains("not to the listener service account 'system:serviceaccount:fleet:tsfleet-listener'");

        String otherAudience = API.issue("fleet", "tsfleet-listener", "p1", "https://kubernetes.default.svc");
        assertThat(heartbeat("p1", otherAudience).status()).isEqualTo(401);
        assertThat(replicas()).doesNotContain("p1");
    }

    @Test
    void anApiServerThatCannotReviewFailsClosed() throws Exception {
        String token = API.issue("fleet", "tsfleet-listener", "p2", "tsfleet-coordinator");
        API.failReviews(503);
        RawHttp.Response r = heartbeat("p2", token);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.body()).contains("cannot check the replica's service account token");
        assertThat(replicas()).doesNotContain("p2");
        API.failReviews(0);
        assertThat(heartbeat("p2", token).status()).isEqualTo(200);
    }

    @Test
    void staticTokensNeedNoReview() throws Exception {
        int before = API.reviews();
        assertThat(RawHttp.send(port, "GET", "/api/v1/assignment", "review-admin", null).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/api/v1/assignment", "not-a-jwt", null).status()).isEqualTo(401);
        assertThat(API.reviews()).isEqualTo(before);
    }
}
