package io.tsfleet.listener.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tsfleet.listener.engine.HandoverObserver;

import java.time.Duration;

/**
 * Handover meters: the duration of CPU moves ({@code tsfleet_listener_handover_duration_seconds{step="acquire|release"}}).
 * The per-record delay histograms are {@link TaskDelayHistograms}: too hot a path for Micrometer's summaries.
 */
public final class ListenerMetrics implements HandoverObserver {
    private final Timer acquire;
    private final Timer release;
    private final Timer releaseAborted;

    public ListenerMetrics(MeterRegistry registry) {
        acquire = handoverTimer(registry, "acquire", "none");
        release = handoverTimer(registry, "release", "released");
        releaseAborted = handoverTimer(registry, "release", "aborted");
    }

    private static Timer handoverTimer(MeterRegistry registry, String step, String outcome) {
        return Timer.builder("tsfleet.listener.handover.duration")
                .description("CPU moves: acquire = decision to registration ack; release = leaving the target to deregistration")
                .tag("step", step)
                .tag("outcome", outcome)
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(120))
                .register(registry);
    }

    @Override
    public void acquired(int cpu, Duration took) {
        acquire.record(took);
    }

    @Override
    public void released(int cpu, Duration took, boolean aborted) {
        (aborted ? releaseAborted : release).record(took);
    }
}
