package io.tsfleet.listener.coordinator;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.tsfleet.listener.domain.DirectivePlan;
import io.tsfleet.listener.domain.HeartbeatPacing;
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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Heartbeats the coordinator and applies its directives. The client sits behind a Resilience4j circuit breaker
 * (clock injected): while the coordinator is down the breaker opens and heartbeats are skipped cheaply; the replica
 * keeps its mask and keeps working (static stability) and resumes when a half-open probe succeeds. The heartbeat
 * interval follows the coordinator's {@code heartbeatMillis}.
 *
 * <p>Expedited heartbeats ({@link HeartbeatPacing}): while a handover step of this replica waits on the coordinator,
 * the next heartbeat goes soon instead of a full interval later: {@code expediteDelay} after a directive that started
 * or advanced such a step, or after the engine learned something the coordinator waits for ({@link #expedite()}), then
 * backing off up to a quarter of the interval while the step still waits; never while the breaker is not closed.
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
    private final LongAdder expedited = new LongAdder();
    /** Guards the schedule: {@link #next}, {@link #inFlight}, {@link #newsPending} and {@link #pacing}. */
    private final Object scheduleLock = new Object();
    private final HeartbeatPacing pacing;
    private ScheduledExecutorService scheduler;
    private ScheduledFuture<?> next;
    private long nextDueNanos = Long.MAX_VALUE;
    private boolean inFlight;
    private boolean newsPending;
    private volatile boolean running;
    private volatile boolean failing;

    public HeartbeatLoop(ReplicaEngine engine, CoordinatorClient client, String replicaId, Duration defaultInterval,
                         BreakerSettings breakerSettings, Clock clock) {
        this(engine, client, replicaId, defaultInterval, Duration.ZERO, breakerSettings, clock);
    }

    /** {@code expediteDelay}: how soon a heartbeat follows news of a handover step (zero: never sooner than the interval). */
    public HeartbeatLoop(ReplicaEngine engine, CoordinatorClient client, String replicaId, Duration defaultInterval,
                         Duration expediteDelay, BreakerSettings breakerSettings, Clock clock) {
        this.pacing = new HeartbeatPacing(expediteDelay);
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
        synchronized (scheduleLock) {
            nextDueNanos = System.nanoTime();
            next = scheduler.schedule(this::loop, 0, TimeUnit.MILLISECONDS);
        }
        engine.onHandoverNews(this::expedite);
    }

    public synchronized void stop() {
        running = false;
        engine.onHandoverNews(null);
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
        synchronized (scheduleLock) {
            inFlight = true;
            newsPending = false;
        }
        Outcome outcome = Outcome.FAILED;
        try {
            outcome = heartbeat();
        } catch (RuntimeException e) {
            log.error("heartbeat failed unexpectedly", e);
        }
        Duration regular = engine.heartbeatInterval(defaultInterval);
        boolean waiting = outcome != Outcome.FAILED && engine.awaitingCoordinator();
        synchronized (scheduleLock) {
            inFlight = false;
            boolean news = outcome == Outcome.NEWS || newsPending;
            newsPending = false;
            Duration delay = pacing.afterHeartbeat(regular, outcome != Outcome.FAILED, breakerClosed(), news, waiting);
            if (delay.compareTo(regular) < 0) expedited.increment();
            if (running) schedule(delay);
        }
    }

    /** Under {@link #scheduleLock}: the next heartbeat in {@code delay}. */
    private void schedule(Duration delay) {
        long nanos = delay.toNanos();
        nextDueNanos = System.nanoTime() + nanos;
        next = scheduler.schedule(this::loop, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The engine learned something the coordinator waits for (a first sequence number of an acquired CPU, a completed
     * release): the next heartbeat goes soon (coalesced with any already due sooner; never while the breaker is not
     * closed; never sooner than the expedite delay after the last one started). Any thread.
     */
    public void expedite() {
        synchronized (scheduleLock) {
            if (!running || scheduler == null || next == null) return;
            if (inFlight) { // the heartbeat on its way may have been built before the news: the next one goes soon
                newsPending = true;
                return;
            }
            Duration delay = pacing.onNews(engine.heartbeatInterval(defaultInterval), breakerClosed());
            if (delay == null) return;
            long due = System.nanoTime() + delay.toNanos();
            if (due - nextDueNanos >= 0) return; // one is due sooner already
            if (!next.cancel(false)) return; // it is starting now: it carries the news
            expedited.increment();
            schedule(delay);
        }
    }

    private boolean breakerClosed() {
        return breaker.getState() == CircuitBreaker.State.CLOSED;
    }

    /** What one heartbeat came to. */
    private enum Outcome {
        /** Not delivered (failed, or the breaker did not permit it). */
        FAILED,
        /** Delivered; the directive started or advanced no handover step of this replica. */
        DELIVERED,
        /** Delivered, and the directive started or advanced a handover step of this replica. */
        NEWS
    }

    /**
     * One heartbeat through the breaker: returns true when the coordinator answered (its directive, if any, has been
     * applied).
     */
    public boolean heartbeatOnce() {
        return heartbeat() != Outcome.FAILED;
    }

    private Outcome heartbeat() {
        ReplicaHeartbeat hb = engine.heartbeat(replicaId, incarnation);
        ReplicaDirective directive;
        try {
            directive = breaker.executeCheckedSupplier(() -> client.heartbeat(hb));
        } catch (CallNotPermittedException e) {
            notPermitted.increment();
            return Outcome.FAILED;
        } catch (Throwable e) {
            failed.increment();
            if (!failing) log.warn("heartbeat to the coordinator failed: {}; keeping mask {}", e.getMessage(), engine.ownedDescription());
            failing = true;
            return Outcome.FAILED;
        }
        if (failing) log.info("coordinator reachable again");
        failing = false;
        delivered.increment();
        engine.delivered(hb);
        DirectivePlan plan = directive == null ? null : engine.apply(directive);
        return plan != null && plan.startsHandoverStep() ? Outcome.NEWS : Outcome.DELIVERED;
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

    /** Heartbeats sent sooner than the regular interval (expedited for a handover step). */
    public long expeditedCount() {
        return expedited.sum();
    }

    public long notPermittedCount() {
        return notPermitted.sum();
    }
}
