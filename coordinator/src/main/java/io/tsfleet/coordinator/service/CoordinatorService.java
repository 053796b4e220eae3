package io.tsfleet.coordinator.service;

import io.tsfleet.coordinator.domain.Coordinator;
import io.tsfleet.coordinator.domain.CoordinatorSettings;
import io.tsfleet.coordinator.domain.plan.CpuAssignor;
import io.tsfleet.coordinator.domain.state.AssignmentStore;
import io.tsfleet.coordinator.domain.view.CoordinatorStatus;
import io.tsfleet.coordinator.kubernetes.Leadership;
import io.tsfleet.coordinator.kubernetes.ReplicaScaler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The thin adapter around the domain {@link Coordinator}: one lock for every operation, a coordinator instance
 * only while this process leads (recovered from the store each time it starts leading), the periodic tick, the
 * optional application of the scaling recommendation, and the numbers for the metrics (counters kept cumulative
 * across leadership changes).
 */
public class CoordinatorService implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorService.class);

    private final CoordinatorSettings settings;
    private final CpuAssignor assignor;
    private final AssignmentStore store;
    private final Clock clock;
    private final Leadership leadership;
    private final Optional<ReplicaScaler> scaler;
    private final Duration scaleInterval;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile Coordinator coordinator;
    private volatile CoordinatorStatus status;
    private volatile boolean running;
    private final Map<String, Long> counterBase = new TreeMap<>();
    private Instant lastScaleAttempt = Instant.EPOCH;

    public CoordinatorService(CoordinatorSettings settings, CpuAssignor assignor, AssignmentStore store, Clock clock,
                              Leadership leadership, Optional<ReplicaScaler> scaler, Duration scaleInterval) {
        this.settings = settings;
        this.assignor = assignor;
        this.store = store;
        this.clock = clock;
        this.leadership = leadership;
        this.scaler = scaler;
        this.scaleInterval = scaleInterval;
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void start() {
        log.info("coordinator for possible CPUs {} persisting to {}; leadership: {}", settings.possibleCpus(), store, leadership.describe());
        running = true;
        leadership.start(this::startLeading, this::stopLeading);
    }

    @Override
    public void stop() {
        running = false;
        leadership.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void startLeading() {
        lock.lock();
        try {
            Coordinator c = new Coordinator(settings, assignor, store, clock);
            coordinator = c;
            status = c.status();
            log.info("leading: recovered generation {}", c.generation());
        } finally {
            lock.unlock();
        }
    }

    private void stopLeading() {
        lock.lock();
        try {
            Coordinator c = coordinator;
            if (c != null) accumulate(c.status());
            coordinator = null;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ operations

    /** Runs {@code op} on the leading coordinator under the lock. */
    public <T> T call(Function<Coordinator, T> op) {
        lock.lock();
        try {
            Coordinator c = coordinator;
            if (c == null) throw new NotLeaderException("this coordinator instance is not the leader (" + leadership.describe() + ")");
            try {
                return op.apply(c);
            } finally {
                status = c.status();
            }
        } finally {
            lock.unlock();
        }
    }

    @Scheduled(fixedDelayString = "${tsfleet.coordinator.tick-interval:1s}")
    public void tick() {
        if (coordinator == null) return;
        try {
            call(c -> {
                c.tick();
                return null;
            });
            applyScaling();
        } catch (NotLeaderException ignored) {
            // lost leadership between the check and the call
        } catch (RuntimeException e) {
            log.error("coordinator tick failed", e);
        }
    }

    private void applyScaling() {
        if (scaler.isEmpty()) return;
        Instant now = clock.instant();
        if (now.isBefore(lastScaleAttempt.plus(scaleInterval))) return;
        lastScaleAttempt = now;
        int desired = status.desiredReplicas();
        try {
            OptionalInt current = scaler.get().currentReplicas();
            if (current.isPresent() && current.getAsInt() != desired) {
                scaler.get().scale(desired);
                log.info("scaled {} from {} to {} replicas", scaler.get().describe(), current.getAsInt(), desired);
                call(c -> {
                    c.note("scaled", scaler.get().describe() + " from " + current.getAsInt() + " to " + desired + " replicas");
                    return null;
                });
            }
        } catch (RuntimeException e) {
            log.warn("could not scale {}: {}", scaler.get().describe(), e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------ metrics

    public boolean isLeader() {
        return coordinator != null && leadership.isLeader();
    }

    /** The latest status (possibly of a previous leadership term), or null before the first one. */
    public CoordinatorStatus status() {
        return status;
    }

    /** A counter of the status, cumulative across leadership terms of this process. */
    public long counter(String name, long current) {
        synchronized (counterBase) {
            return counterBase.getOrDefault(name, 0L) + current;
        }
    }

    private void accumulate(CoordinatorStatus s) {
        synchronized (counterBase) {
            counterBase.merge("cpusMoved", s.cpusMoved(), Long::sum);
            counterBase.merge("handoversCompleted", s.handoversCompleted(), Long::sum);
            counterBase.merge("rollbacks", s.handoverRollbacks(), Long::sum);
            counterBase.merge("staleHeartbeats", s.staleHeartbeats(), Long::sum);
            counterBase.merge("persistFailures", s.persistFailures(), Long::sum);
            s.rebalancesByTrigger().forEach((k, v) -> counterBase.merge("rebalances." + k, v, Long::sum));
        }
    }

    public CoordinatorSettings settings() {
        return settings;
    }
}
