package io.tsfleet.listener.config;

import io.tsfleet.listener.coordinator.HeartbeatLoop;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.listener.engine.SinkFanOut;
import io.tsfleet.protocol.cpu.CpuSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts the replica when the application is up and stops it gracefully on SIGTERM (context close), before the web
 * server stops, so readiness and metrics stay visible while it drains:
 * <ol>
 *   <li>report {@code DRAINING} so the coordinator moves the CPUs away, and wait (bounded by
 *       {@code drain-timeout}) until the target is empty and every CPU has been released after its fence;</li>
 *   <li>deregister whatever is still held and read until the broker answers (bounded by {@code deregister-timeout};
 *       then at most as long again reading without waiting for the sink, counting what it cannot take as lost), and
 *       report the released CPUs;</li>
 *   <li>write what is queued, flush and close the sink (records it cannot write by then are counted as lost), and
 *       send the final totals in a last heartbeat.</li>
 * </ol>
 * Without a coordinator (static mask) the first step is skipped.
 */
public class ReplicaLifecycle implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ReplicaLifecycle.class);

    private final ListenerProperties props;
    private final ReplicaEngine engine;
    private final SinkFanOut pipeline;
    private final HeartbeatLoop heartbeatLoop;
    private final CpuSet staticMask;
    private final ListenerConfiguration.ReplicaId id;
    private ScheduledExecutorService ticker;
    private volatile boolean running;

    public ReplicaLifecycle(ListenerProperties props, ReplicaEngine engine, SinkFanOut pipeline, HeartbeatLoop heartbeatLoop,
                            CpuSet staticMask, ListenerConfiguration.ReplicaId id) {
        this.props = props;
        this.engine = engine;
        this.pipeline = pipeline;
        this.heartbeatLoop = heartbeatLoop;
        this.staticMask = staticMask;
        this.id = id;
    }

    @Override
    public synchronized void start() {
        if (running) return;
        pipeline.start();
        ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("replica-tick").daemon().factory());
        long every = props.statsInterval().toMillis();
        ticker.scheduleAtFixedRate(this::tick, every, every, TimeUnit.MILLISECONDS);
        log.info("replica {} on broker {}, sinks: {}", id.value(), props.broker(), pipeline.describe());
        if (staticMask != null) {
            engine.useStaticMask(staticMask);
        } else {
            log.info("coordinated by {}", props.coordinatorUrl());
            heartbeatLoop.start();
        }
        running = true;
    }

    private void tick() {
        try {
            engine.tick();
        } catch (RuntimeException e) {
            log.error("replica tick failed", e);
        }
    }

    @Override
    public synchronized void stop() {
        if (!running) return;
        running = false;
        try {
            if (heartbeatLoop != null) drain();
            if (heartbeatLoop != null) heartbeatLoop.stop();
            engine.shutdown(props.deregisterTimeout());
            if (heartbeatLoop != null) heartbeatLoop.heartbeatOnce();
            ticker.shutdownNow();
            pipeline.close(Duration.ofSeconds(30));
            if (heartbeatLoop != null) heartbeatLoop.heartbeatOnce(); // the final totals, with what the sink could not write
            log.info("replica {} stopped: sink flushed and closed; {} records lost in all ({} of them kept but not written)", id.value(),
                    engine.totals().lostReported(), engine.totals().unwritten.sum());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("interrupted while stopping the replica");
        }
    }

    private void drain() throws InterruptedException {
        engine.beginDrain();
        heartbeatLoop.heartbeatOnce();
        long deadline = System.nanoTime() + props.drainTimeout().toNanos();
        while (!engine.drained() && System.nanoTime() < deadline) Thread.sleep(50);
        if (engine.drained()) log.info("drained: the coordinator moved every CPU away");
        else log.warn("drain timeout {} expired with {} CPUs still held; deregistering them", props.drainTimeout(), engine.ownedDescription());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
