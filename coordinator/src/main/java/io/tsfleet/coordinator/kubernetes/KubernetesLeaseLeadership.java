package io.tsfleet.coordinator.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Leader election through a coordination.k8s.io Lease (fabric8 {@link LeaderElector}). */
public final class KubernetesLeaseLeadership implements Leadership {
    private static final Logger log = LoggerFactory.getLogger(KubernetesLeaseLeadership.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String leaseName;
    private final String identity;
    private final Duration leaseDuration, renewDeadline, retryPeriod;
    private volatile boolean leader;
    private volatile CompletableFuture<?> running;

    public KubernetesLeaseLeadership(KubernetesClient client, String namespace, String leaseName, String identity,
                                     Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        this.client = client;
        this.namespace = namespace;
        this.leaseName = leaseName;
        this.identity = identity;
        this.leaseDuration = leaseDuration;
        this.renewDeadline = renewDeadline;
        this.retryPeriod = retryPeriod;
    }

    @Override
    public void start(Runnable onStartLeading, Runnable onStopLeading) {
        LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName("tsfleet-coordinator")
                .withLock(new LeaseLock(namespace, leaseName, identity))
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(renewDeadline)
                .withRetryPeriod(retryPeriod)
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> {
                            leader = true;
                            log.info("{} became the leader (lease {}/{})", identity, namespace, leaseName);
                            onStartLeading.run();
                        },
                        () -> {
                            leader = false;
                            log.warn("{} stopped leading (lease {}/{})", identity, namespace, leaseName);
                            onStopLeading.run();
                        },
                        newLeader -> log.info("leader of {}/{} is now {}", namespace, leaseName, newLeader)))
                .build()).build();
        running = elector.start();
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public void stop() {
        CompletableFuture<?> f = running;
        if (f != null) f.cancel(true);
    }

    @Override
    public String describe() {
        return "Kubernetes Lease " + namespace + "/" + leaseName + " as " + identity;
    }
}
