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
import io.tsfleet.listener.engine.SinkFanOut;
import io.tsfleet.listener.engine.SinkLatency;
import io.tsfleet.listener.engine.SinkPipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Exposes each sink's {@link SinkLatency} as the classic histogram {@code tsfleet_listener_sink_latency_seconds{sink}}
 * ({@code _bucket}, {@code _count}, {@code _sum}): from a reader publishing a record to the sink having written it
 * ({@code write} returned; for a sink that confirms later, too: it does not say when each record was acknowledged).
 * Carries the same common tags Micrometer puts on every other meter.
 */
public final class SinkLatencyCollector implements Collector {
    static final String NAME = MetricNames.SINK_LATENCY;
    private static final MetricMetadata METADATA = new MetricMetadata(NAME,
            "Time from a reader publishing a record to the sink having written it, per record written", Unit.SECONDS);
    private static final double[] UPPER_BOUNDS = SinkLatency.upperBounds();

    private final List<SinkPipeline> sinks;
    private final Labels[] labels;

    public SinkLatencyCollector(SinkFanOut fanOut, Map<String, String> commonTags) {
        this.sinks = fanOut.pipelines();
        this.labels = new Labels[sinks.size()];
        Labels.Builder common = Labels.builder();
        commonTags.forEach(common::label);
        Labels commonLabels = common.build();
        for (int i = 0; i < labels.length; i++) labels[i] = Labels.of("sink", sinks.get(i).name()).merge(commonLabels);
    }

    @Override
    public MetricSnapshot collect() {
        List<HistogramDataPointSnapshot> points = new ArrayList<>(sinks.size());
        for (int i = 0; i < labels.length; i++) {
            SinkLatency l = sinks.get(i).latency();
            points.add(new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(UPPER_BOUNDS, l.counts()), l.sumSeconds(), labels[i],
                    Exemplars.EMPTY, 0L));
        }
        return new HistogramSnapshot(METADATA, points);
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }
}
