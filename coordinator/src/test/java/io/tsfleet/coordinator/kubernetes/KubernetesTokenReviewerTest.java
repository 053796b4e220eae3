package io.tsfleet.coordinator.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.tsfleet.coordinator.security.ReplicaTokenReviewer.Review;
import io.tsfleet.coordinator.security.ReplicaTokenReviewer.ReviewUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TokenReviews against the fabric8 mock API server. */
class KubernetesTokenReviewerTest {
    final TokenReviewApiServer api = new TokenReviewApiServer();
    final KubernetesTokenReviewer reviewer = new KubernetesTokenReviewer(api.client(), "tsfleet-coordinator", "fleet", "tsfleet-listener");

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void aListenerPodsTokenProvesItsPodName() {
        String token = api.issue("fleet", "tsfleet-listener", "tsfleet-listener-7d9f-abcde", "tsfleet-coordinator");
        assertThat(reviewer.review(token)).isEqualTo(new Review.Replica("tsfleet-listener-7d9f-abcde"));
    }

    @Test
    void aNodeAgentsTokenProvesTheNodeItsPodRunsOnAndOnlyWithANodeServiceAccount() {
        KubernetesTokenReviewer withNodes = new KubernetesTokenReviewer(api.client(), "tsfleet-coordinator", "fleet", "tsfleet-listener", "tsfleet-node-agent");
        String token = api.issueOnNode("fleet", "tsfleet-node-agent", "tsfleet-node-agent-x1", "worker-3", "tsfleet-coordinator");
        assertThat(withNodes.review(token)).isEqualTo(new Review.Node("worker-3"));
        assertThat(reviewer.review(token)).as("without a node service account it proves nothing").isInstanceOf(Review.Refused.class);
        String noNode = api.issue("fleet", "tsfleet-node-agent", "tsfleet-node-agent-x2", "tsfleet-coordinator");
        assertThat(((Review.Refused) withNodes.review(noNode)).reason()).contains("names no node");
        String listener = api.issueOnNode("fleet", "tsfleet-listener", "tsfleet-listener-1", "worker-3", "tsfleet-coordinator");
        assertThat(withNodes.review(listener)).as("a listener's token stays a replica's").isEqualTo(new Review.Replica("tsfleet-listener-1"));
    }

    @Test
    void anUnauthenticatedTokenProvesNothing() {
        assertThat(reviewer.review("eyJh.forged.token")).isInstanceOf(Review.Refused.class)
                .extracting(r -> ((Review.Refused) r).reason()).asString().contains("does not authenticate");
    }

    @Test
    void aTokenForAnotherAudienceProvesNothing() {
        String token = api.issue("fleet", "tsfleet-listener", "p1", "https://kubernetes.default.svc");
        assertThat(reviewer.review(token)).isInstanceOf(Review.Refused.class);
    }

    @Test
    void anotherServiceAccountOrNamespaceProvesNothing() {
        String other = api.issue("fleet", "default", "p1", "tsfleet-coordinator");
        assertThat(((Review.Refused) reviewer.review(other)).reason()).contains("system:serviceaccount:fleet:default").contains("not to the listener service account");
        String elsewhere = api.issue("other-ns", "tsfleet-listener", "p1", "tsfleet-coordinator");
        assertThat(reviewer.review(elsewhere)).isInstanceOf(Review.Refused.class);
    }

    @Test
    void aTokenNotBoundToAPodProvesNothing() {
        String legacy = api.issue("fleet", "tsfleet-listener", null, "tsfleet-coordinator");
        assertThat(((Review.Refused) reviewer.review(legacy)).reason()).contains("not bound to a pod");
    }

    @Test
    void reviewsTheApiServerRefusesFailClosed() {
        api.failReviews(403);
        assertThatThrownBy(() -> reviewer.review("a.b.c")).isInstanceOf(ReviewUnavailableException.class).hasMessageContaining("RBAC");
        api.failReviews(500);
        assertThatThrownBy(() -> reviewer.review("a.b.c")).isInstanceOf(ReviewUnavailableException.class).hasMessageContaining("answered 500");
    }

    @Test
    void anUnreachableApiServerFailsClosed() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (KubernetesClient down = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
                .withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + closedPort).withRequestRetryBackoffLimit(0)
                        .withConnectionTimeout(2000).withRequestTimeout(2000).build()).build()) {
            KubernetesTokenReviewer unreachable = new KubernetesTokenReviewer(down, "tsfleet-coordinator", "fleet", "tsfleet-listener");
            assertThatThrownBy(() -> unreachable.review("a.b.c")).isInstanceOf(ReviewUnavailableException.class)
                    .hasMessageContaining("cannot check the replica's service account token");
        }
    }
}
