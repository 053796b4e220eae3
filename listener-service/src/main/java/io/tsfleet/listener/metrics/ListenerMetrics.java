package io.tsfleet.listener.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tsfleet.listener.engine.HandoverObserver;
import io.tsfleet.listener.engine.RecordObserver;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.protocol.taskstats.TaskstatsField;

import java.time.Duration;

/**
 * Per-record and per-handover meters: histograms of the taskstats delay totals of every record written
 * ({@code tsfleet_listener_task_delay_seconds{delay="cpu|blkio|swapin|freepages|thrashing|compact|wpcopy|irq"}}, no
 * cpu label) and the handover duration ({@code tsfleet_listener_handover_duration_seconds{step="acquire|release"}}).
 */
public final class ListenerMetrics implements RecordObserver, HandoverObserver {
    private static final TaskstatsField[] DELAYS = {
            TaskstatsField.CPU_DELAY_TOTAL, TaskstatsField.BLKIO_DELAY_TOTAL, TaskstatsField.SWAPIN_DELAY_TOTAL,
            TaskstatsField.FREEPAGES_DELAY_TOTAL, TaskstatsField.THRASHING_DELAY_TOTAL, TaskstatsField.COMPACT_DELAY_TOTAL,
            TaskstatsField.WPCOPY_DELAY_TOTAL, TaskstatsField.IRQ_DELAY_TOTAL};
    /** Bucket bounds in seconds: 1 µs .. 100 s, by decades and halves. */
    private static final double[] BUCKETS = {1e-6, 1e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1, 5, 10, 100};

    private final DistributionSummary[] delays = new DistributionSummary[DELAYS.length];
    private final Timer acquire;
    private final Timer release;
    private final Timer releaseAborted;

    public ListenerMetrics(MeterRegistry registry) {
        for (int i = 0; i < DELAYS.length; i++) {
            String kind = DELAYS[i].cName().replace("_delay_total", "");
            delays[i] = DistributionSummary.builder("tsfleet.listener.task.delay")
                    .description("Delay totals of exited tasks (struct taskstats *_delay_total), per record")
                    .baseUnit("seconds")
                    .tag("delay", kind)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
        }
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
    public void observe(ExitRecordView record) {
        for (int i = 0; i < DELAYS.length; i++) {
            if (record.has(DELAYS[i])) {
                long ns = record.field(DELAYS[i]);
                delays[i].record(ns < 0 ? Long.MAX_VALUE / 1e9 : ns / 1e9);
            }
        }
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
