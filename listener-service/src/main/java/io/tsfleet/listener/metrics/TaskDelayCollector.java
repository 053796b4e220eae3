package io.tsfleet.listener.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Exposes {@link TaskDelayHistograms} on the Prometheus endpoint as the classic histogram
 * {@code tsfleet_listener_task_delay_seconds{delay="cpu|blkio|swapin|freepages|thrashing|compact|wpcopy|irq"}}
 * ({@code _bucket}, {@code _count}, {@code _sum}), with the same common tags Micrometer puts on every other meter.
 */
public final class TaskDelayCollector implements Collector {
    static final String NAME = MetricNames.TASK_DELAY;
    private static final MetricMetadata METADATA = new MetricMetadata(NAME,
            "Delay totals of exited tasks (struct taskstats *_delay_total), per record written", Unit.SECONDS);
    private static final double[] UPPER_BOUNDS = TaskDelayHistograms.Snapshot.upperBounds();

    private final TaskDelayHistograms histograms;
    private final Labels[] labels = new Labels[TaskDelayHistograms.kinds()];

    public TaskDelayCollector(TaskDelayHistograms histograms, Map<String, String> commonTags) {
        this.histograms = histograms;
        for (int kind = 0; kind < labels.length; kind++) {
            labels[kind] = Labels.of("delay", TaskDelayHistograms.kindName(kind)).merge(commonLabels(commonTags));
        }
    }

    private static Labels commonLabels(Map<String, String> tags) {
        Labels.Builder b = Labels.builder();
        tags.forEach(b::label);
        return b.build();
    }

    @Override
    public MetricSnapshot collect() {
        List<HistogramDataPointSnapshot> points = new ArrayList<>(labels.length);
        for (int kind = 0; kind < labels.length; kind++) {
            TaskDelayHistograms.Snapshot s = histograms.snapshot(kind);
            points.add(new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(UPPER_BOUNDS, perBucket(s.cumulative())), s.sumSeconds(),
                    labels[kind], Exemplars.EMPTY, 0L));
        }
        return new HistogramSnapshot(METADATA, points);
    }

    /** The client's classic buckets take the count of each bucket alone and accumulate them when they are written. */
    private static long[] perBucket(long[] cumulative) {
        long[] counts = new long[cumulative.length];
        long previous = 0;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = cumulative[i] - previous;
            previous = cumulative[i];
        }
        return counts;
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }
}
