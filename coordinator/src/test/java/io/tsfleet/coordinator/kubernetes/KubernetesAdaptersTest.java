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

    /**
     * Another candidate takes the Lease and renews it for a minute; its write is retried when it raced a renewal of
     * the elector (409 Conflict), as a real candidate's would be.
     */
    private void intruderTakesTheLease() {
        for (int attempt = 1; ; attempt++) {
            try {
                takeLease();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) throw e;
            }
        }
    }

    private void takeLease() {
        client.leases().inNamespace("fleet").withName("coordinator-leader").edit(l -> {
            l.getSpec().setHolderIdentity("intruder");
            l.getSpec().setLeaseDurationSeconds(60);
            l.getSpec().setAcquireTime(java.time.ZonedDateTime.now());
            l.getSpec().setRenewTime(java.time.ZonedDateTime.now());
            return l;
        });
    }

    /** The other candidate releases it, as fabric8 does: no holder, a lease that has run out. */
    private void intruderReleasesTheLease() {
        client.leases().inNamespace("fleet").withName("coordinator-leader").edit(l -> {
            l.getSpec().setHolderIdentity("");
            l.getSpec().setLeaseDurationSeconds(1);
            l.getSpec().setRenewTime(java.time.ZonedDateTime.now().minusMinutes(1));
            return l;
        });
    }

    private String holder() {
        return client.leases().inNamespace("fleet").withName("coordinator-leader").get().getSpec().getHolderIdentity();
    }

    @Test
    void aPodThatLosesTheLeaseTwiceInARowLeadsAgainEachTimeItIsFree() throws Exception {
        java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger stops = new java.util.concurrent.atomic.AtomicInteger();
        KubernetesLeaseLeadership pod = new KubernetesLeaseLeadership(client, "fleet", "coordinator-leader", "pod-a",
                Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200));
        try {
            pod.start(starts::incrementAndGet, stops::incrementAndGet);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> starts.get() == 1 && pod.isLeader());
            for (int loss = 1; loss <= 2; loss++) {
                int n = loss;
                intruderTakesTheLease();
                org.awaitility.Awaitility.await("loss " + n).atMost(Duration.ofSeconds(10)).until(() -> stops.get() == n && !pod.isLeader());
                Thread.sleep(1000); // the other holder keeps it: the pod waits as a standby
                assertThat(pod.isLeader()).isFalse();
                assertThat(holder()).isEqualTo("intruder");
                intruderReleasesTheLease();
                org.awaitility.Awaitility.await("leading again after loss " + n).atMost(Duration.ofSeconds(10))
                        .until(() -> starts.get() == n + 1 && pod.isLeader());
                assertThat(holder()).isEqualTo("pod-a");
            }
            assertThat(pod.terms()).isGreaterThanOrEqualTo(3);
        } finally {
            pod.stop();
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
