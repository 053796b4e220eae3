package io.tsfleet.coordinator.kubernetes;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Leadership} that also keeps the {@link LeaderPodLabel} of its pod: {@code standby} from the start (a
 * label left from before a container restart is taken back), {@code leader} once the coordinator has taken over
 * (after the start callback), {@code standby} again before the stop callback and on {@link #stop}. The label is
 * re-checked every {@code syncPeriod} (the lease's retry period), which retries a failed patch and clears stale
 * leader labels of other pods while leading. The callbacks never wait for the API server: labelling runs on its own
 * thread.
 */
public final class PodLabellingLeadership implements Leadership {
    private final Leadership delegate;
    private final LeaderPodLabel label;
    private final Duration syncPeriod;
    /** Labelling runs here, from {@link #start} to {@link #stop}. */
    private volatile ScheduledExecutorService labeller;

    public PodLabellingLeadership(Leadership delegate, LeaderPodLabel label, Duration syncPeriod) {
        this.delegate = delegate;
        this.label = label;
        this.syncPeriod = syncPeriod;
    }

    @Override
    public synchronized void start(Runnable onStartLeading, Runnable onStopLeading) {
        ScheduledExecutorService labeller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("leader-pod-label").daemon().factory());
        this.labeller = labeller;
        label.want(LeaderPodLabel.Role.STANDBY);
        syncSoon(); // first on the labelling thread (FIFO): standby before any leader label; start never waits for the API server
        delegate.start(() -> {
            onStartLeading.run();
            label.want(LeaderPodLabel.Role.LEADER);
            syncSoon();
        }, () -> {
            label.want(LeaderPodLabel.Role.STANDBY);
            syncSoon();
            onStopLeading.run();
        });
        labeller.scheduleWithFixedDelay(label::sync, syncPeriod.toMillis(), syncPeriod.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void syncSoon() {
        try {
            ScheduledExecutorService labeller = this.labeller;
            if (labeller != null) labeller.execute(label::sync);
        } catch (RejectedExecutionException e) {
            // stopping: stop() labels the pod itself
        }
    }

    @Override
    public boolean isLeader() {
        return delegate.isLeader();
    }

    /** Stops the election, then labels the pod {@code standby} (once, on the calling thread). */
    @Override
    public synchronized void stop() {
        ScheduledExecutorService labeller = this.labeller;
        if (labeller != null) labeller.shutdownNow();
        delegate.stop();
        label.want(LeaderPodLabel.Role.STANDBY);
        label.sync();
    }

    @Override
    public boolean relinquish() {
        return delegate.relinquish();
    }

    @Override
    public String describe() {
        return delegate.describe() + ", routing by label " + label.key() + " on pod " + label.podName();
    }
}
