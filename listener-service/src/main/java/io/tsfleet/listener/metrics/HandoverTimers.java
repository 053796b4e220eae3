package io.tsfleet.listener.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.listener.engine.HandoverObserver;

import java.time.Duration;

/**
 * Handover meters: the duration of CPU moves ({@code tsfleet_listener_handover_duration_seconds{step="acquire|release"}}).
 * The timers exist once Spring Boot has bound this binder to the registry, which it does before the engine starts;
 * the per-record delay histograms are {@link TaskDelayHistograms}: too hot a path for Micrometer's summaries.
 */
public final class HandoverTimers implements HandoverObserver, MeterBinder {
    private volatile Timer acquire;
    private volatile Timer release;
    private volatile Timer releaseAborted;

    @Override
    public void bindTo(MeterRegistry registry) {
        acquire = handoverTimer(registry, "acquire", "none");
        release = handoverTimer(registry, "release", "released");
        releaseAborted = handoverTimer(registry, "release", "aborted");
    }

    private static Timer handoverTimer(MeterRegistry registry, String step, String outcome) {
        return Timer.builder(MetricNames.HANDOVER_DURATION)
                .description("CPU moves: acquire = decision to registration ack; release = leaving the target to deregistration")
                .tag("step", step)
                .tag("outcome", outcome)
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(120))
                .register(registry);
    }

    @Override
    public void acquired(int cpu, Duration took) {
        record(acquire, took);
    }

    @Override
    public void released(int cpu, Duration took, boolean aborted) {
        record(aborted ? releaseAborted : release, took);
    }

    private static void record(Timer timer, Duration took) {
        if (timer != null) timer.record(took);
    }
}
