package io.tsfleet.coordinator.kubernetes;

import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Lease leader election and the Deployment scaler against the fabric8 mock API server in CRUD mode. */
class KubernetesAdaptersTest {
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

    @Test
    void theFirstCandidateAcquiresTheLeaseAndASecondOneWaits() throws Exception {
        CountDownLatch firstLeads = new CountDownLatch(1);
        CountDownLatch secondLeads = new CountDownLatch(1);
        KubernetesLeaseLeadership first = new KubernetesLeaseLeadership(client, "fleet", "coordinator-leader", "pod-a",
                Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200));
        KubernetesLeaseLeadership second = new KubernetesLeaseLeadership(client, "fleet", "coordinator-leader", "pod-b",
                Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200));
        try {
            first.start(firstLeads::countDown, () -> { });
            assertThat(firstLeads.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(first.isLeader()).isTrue();
            second.start(secondLeads::countDown, () -> { });
            assertThat(secondLeads.await(1, TimeUnit.SECONDS)).isFalse();
            assertThat(client.leases().inNamespace("fleet").withName("coordinator-leader").get().getSpec().getHolderIdentity()).isEqualTo("pod-a");
            // the leader gives up (release on cancel): the other one takes over
            first.stop();
            assertThat(secondLeads.await(15, TimeUnit.SECONDS)).isTrue();
            assertThat(second.isLeader()).isTrue();
        } finally {
            first.stop();
            second.stop();
        }
    }

    @Test
    void theScalerReadsAndSetsTheDeploymentsReplicas() {
        client.apps().deployments().inNamespace("fleet").resource(new DeploymentBuilder()
                .withNewMetadata().withName("tsfleet-listener").endMetadata()
                .withNewSpec().withReplicas(2).endSpec().build()).create();
        KubernetesDeploymentScaler scaler = new KubernetesDeploymentScaler(client, "fleet", "tsfleet-listener");

        assertThat(scaler.currentReplicas()).hasValue(2);
        scaler.scale(5);

        assertThat(client.apps().deployments().inNamespace("fleet").withName("tsfleet-listener").get().getSpec().getReplicas()).isEqualTo(5);
        assertThat(scaler.currentReplicas()).hasValue(5);
    }
}
