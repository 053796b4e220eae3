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
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Leader election through a coordination.k8s.io Lease (fabric8 {@link LeaderElector}). A fabric8 elector runs one
 * term: it acquires the Lease, renews it, and ends for good when a renewal fails (an API-server blip, a long GC pause,
 * another holder). This class stands again every time a term ends, after {@code retryPeriod}, until {@link #stop}:
 * a pod that lost the Lease once becomes the leader again when the Lease is free, instead of staying a standby
 * forever while its liveness stays green.
 */
public final class KubernetesLeaseLeadership implements Leadership {
    private static final Logger log = LoggerFactory.getLogger(KubernetesLeaseLeadership.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String leaseName;
    private final String identity;
    private final Duration leaseDuration, renewDeadline, retryPeriod;
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("lease-election").daemon().factory());
    private volatile boolean leader;
    private volatile boolean stopped;
    private volatile CompletableFuture<?> running;
    private final AtomicLong terms = new AtomicLong();
    private Runnable onStartLeading, onStopLeading;

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
    public synchronized void start(Runnable onStartLeading, Runnable onStopLeading) {
        this.onStartLeading = onStartLeading;
        this.onStopLeading = onStopLeading;
        stopped = false;
        stand();
    }

    /** One election: acquire, lead while renewals succeed; when it ends for any reason, stand again. */
    private synchronized void stand() {
        if (stopped) return;
        long term = terms.incrementAndGet();
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
        CompletableFuture<?> f = elector.start();
        running = f;
        f.whenComplete((ok, error) -> {
            if (stopped) return;
            log.info("{}: election term {} of lease {}/{} ended{}; standing again in {} ms", identity, term, namespace, leaseName,
                    error == null ? "" : " (" + error + ")", retryPeriod.toMillis());
            try {
                restarts.schedule(this::stand, retryPeriod.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopped meanwhile
            }
        });
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public void stop() {
        stopped = true;
        CompletableFuture<?> f = running;
        if (f != null) f.cancel(true);
        restarts.shutdownNow();
    }

    /** Ends the current term (releasing the Lease if this instance holds it); the next term starts after the retry period. */
    @Override
    public boolean relinquish() {
        CompletableFuture<?> f = running;
        if (f != null) f.cancel(true);
        return true;
    }

    /** Election terms started so far (for tests and logs). */
    public long terms() {
        return terms.get();
    }

    @Override
    public String describe() {
        return "Kubernetes Lease " + namespace + "/" + leaseName + " as " + identity;
    }
}
