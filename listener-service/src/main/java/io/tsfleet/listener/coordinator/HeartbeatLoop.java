package io.tsfleet.listener.coordinator;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Heartbeats the coordinator and applies its directives. The client sits behind a Resilience4j circuit breaker
 * (clock injected): while the coordinator is down the breaker opens and heartbeats are skipped cheaply; the replica
 * keeps its mask and keeps working (static stability) and resumes when a half-open probe succeeds. The heartbeat
 * interval follows the coordinator's {@code heartbeatMillis}.
 */
public final class HeartbeatLoop {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatLoop.class);

    /** Circuit breaker settings. */
    public record BreakerSettings(int slidingWindow, int minimumCalls, float failureRatePercent, Duration openWait) {
    }

    private final ReplicaEngine engine;
    private final CoordinatorClient client;
    private final CircuitBreaker breaker;
    private final String replicaId;
    private final String incarnation = UUID.randomUUID().toString();
    private final Duration defaultInterval;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder notPermitted = new LongAdder();
    private ScheduledExecutorService scheduler;
    private volatile boolean running;
    private volatile boolean failing;

    public HeartbeatLoop(ReplicaEngine engine, CoordinatorClient client, String replicaId, Duration defaultInterval,
                         BreakerSettings breakerSettings, Clock clock) {
        this.engine = engine;
        this.client = client;
        this.replicaId = replicaId;
        this.defaultInterval = defaultInterval;
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(breakerSettings.slidingWindow())
                .minimumNumberOfCalls(breakerSettings.minimumCalls())
                .failureRateThreshold(breakerSettings.failureRatePercent())
                .waitDurationInOpenState(breakerSettings.openWait())
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordExceptions(HeartbeatFailedException.class)
                .clock(clock)
                .build();
        this.breaker = CircuitBreaker.of("coordinator", config);
        breaker.getEventPublisher().onStateTransition(e ->
                log.info("coordinator circuit breaker {} (the replica keeps its mask while it is open)", e.getStateTransition()));
    }

    public synchronized void start() {
        if (running) return;
        running = true;
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("heartbeat").daemon().factory());
        scheduler.execute(this::loop);
    }

    public synchronized void stop() {
        running = false;
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        if (!running) return;
        try {
            heartbeatOnce();
        } catch (RuntimeException e) {
            log.error("heartbeat failed unexpectedly", e);
        }
        if (running) scheduler.schedule(this::loop, engine.heartbeatInterval(defaultInterval).toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One heartbeat through the breaker: returns true when the coordinator answered (its directive, if any, has been
     * applied).
     */
    public boolean heartbeatOnce() {
        ReplicaHeartbeat hb = engine.heartbeat(replicaId, incarnation);
        ReplicaDirective directive;
        try {
            directive = breaker.executeCheckedSupplier(() -> client.heartbeat(hb));
        } catch (CallNotPermittedException e) {
            notPermitted.increment();
            return false;
        } catch (Throwable e) {
            failed.increment();
            if (!failing) log.warn("heartbeat to the coordinator failed: {}; keeping mask {}", e.getMessage(), engine.ownedDescription());
            failing = true;
            return false;
        }
        if (failing) log.info("coordinator reachable again");
        failing = false;
        delivered.increment();
        engine.delivered(hb);
        if (directive != null) engine.apply(directive);
        return true;
    }

    public String incarnation() {
        return incarnation;
    }

    public CircuitBreaker.State breakerState() {
        return breaker.getState();
    }

    public long deliveredCount() {
        return delivered.sum();
    }

    public long failedCount() {
        return failed.sum();
    }

    public long notPermittedCount() {
        return notPermitted.sum();
    }
}
