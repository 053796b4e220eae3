package io.tsfleet.emulator.emulated.config;

import io.tsfleet.emulator.app.EmulatorProperties;
import io.tsfleet.emulator.emulated.workload.WorkloadGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Ticks the workload generator on its own thread while the application runs (unless disabled). */
final class WorkloadRunner implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(WorkloadRunner.class);

    private final WorkloadGenerator generator;
    private final EmulatorProperties.Workload settings;
    private ScheduledExecutorService executor;
    private long failures;

    WorkloadRunner(WorkloadGenerator generator, EmulatorProperties.Workload settings) {
        this.generator = generator;
        this.settings = settings;
    }

    @Override
    public synchronized void start() {
        if (!settings.enabled()) {
            LOG.info("workload generator disabled (tsfleet.emulator.workload.enabled=false)");
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("workload").daemon().factory());
        long period = Math.max(1, settings.tick().toMillis());
        executor.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            generator.tick();
        } catch (RuntimeException e) {
            // a tick runs a hundred times a second: the first failure with its trace, then every 1000th, not a flood
            if (failures++ % 1000 == 0) LOG.warn("workload tick failed (" + failures + " failures so far)", e);
        }
    }

    @Override
    public synchronized void stop() {
        if (executor != null) executor.shutdownNow();
        executor = null;
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    boolean enabled() {
        return settings.enabled();
    }
}
