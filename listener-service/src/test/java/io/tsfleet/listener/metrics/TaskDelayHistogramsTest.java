package io.tsfleet.listener.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TaskDelayHistogramsTest {
    private static final int CPU = 0;
    private static final int BLKIO = 1;
    private static final int IRQ = 7;

    @Test
    void aValueOnABoundCountsInThatBucketAndOneNanosecondMoreInTheNext() {
        TaskDelayHistograms h = new TaskDelayHistograms();
        h.record(CPU, 1_000);      // exactly 1 µs: le="1.0E-6"
        h.record(CPU, 1_001);      // just above: le="1.0E-5"
        h.record(CPU, 0);          // le="1.0E-6"
        h.record(CPU, 100_000_000_000L);     // exactly 100 s: last finite bucket
        h.record(CPU, 100_000_000_001L);     // +Inf
        TaskDelayHistograms.Snapshot s = h.snapshot(CPU);
        assertThat(s.cumulative()).hasSize(15);
        assertThat(s.cumulative()[0]).isEqualTo(2);
        assertThat(s.cumulative()[1]).isEqualTo(3);
        assertThat(s.cumulative()[12]).isEqualTo(3);
        assertThat(s.cumulative()[13]).isEqualTo(4);
        assertThat(s.cumulative()[14]).isEqualTo(5);
        assertThat(s.count()).isEqualTo(5);
        assertThat(s.sumSeconds()).isEqualTo((2_001 + 200_000_000_001L) / 1e9);
        assertThat(h.snapshot(BLKIO).count()).as("kinds are separate").isZero();
    }

    @Test
    void aU64AboveLongMaxIsInfiniteAndSaturatesTheSum() {
        TaskDelayHistograms h = new TaskDelayHistograms();
        h.record(IRQ, Long.MAX_VALUE - 5);
        h.record(IRQ, 10);
        h.record(IRQ, -1);         // u64 0xFFFF_FFFF_FFFF_FFFF
        TaskDelayHistograms.Snapshot s = h.snapshot(IRQ);
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.cumulative()[13]).isEqualTo(1);
        assertThat(s.sumSeconds()).isEqualTo(Long.MAX_VALUE / 1e9);
    }

    @Test
    void aRecordAddsEachOfItsDelayFieldsToItsKind() {
        Taskstats stats = Taskstats.builder().set(TaskstatsField.AC_PID, 42).set(TaskstatsField.CPU_DELAY_TOTAL, 3_000_000)
                .set(TaskstatsField.BLKIO_DELAY_TOTAL, 250_000).comm("sh").build();
        ExitRecordView view = new ExitRecordView();
        assertThat(view.wrap(ExitRecordView.littleEndian(TaskstatsEvent.exit(1, 42, stats).encode(30).toBytes()), 0, 3)).isTrue();
        TaskDelayHistograms h = new TaskDelayHistograms();
        h.observe(view);
        h.observe(view);
        assertThat(h.snapshot(CPU).count()).isEqualTo(2);
        assertThat(h.snapshot(CPU).sumSeconds()).isEqualTo(0.006);
        assertThat(h.snapshot(CPU).cumulative()[4]).as("3 ms is above le=1 ms").isZero();
        assertThat(h.snapshot(CPU).cumulative()[5]).as("3 ms is within le=5 ms").isEqualTo(2);
        assertThat(h.snapshot(BLKIO).cumulative()[3]).as("250 µs is within le=500 µs").isEqualTo(2);
        for (int kind = 0; kind < TaskDelayHistograms.kinds(); kind++) {
            assertThat(h.snapshot(kind).count()).as("every struct version 16 record has all eight delay fields").isEqualTo(2);
        }
    }

    @Property(tries = 2000)
    void theBucketIsTheFirstBoundAtOrAboveTheValue(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long nanos) {
        int expected = 0;
        while (expected < TaskDelayHistograms.BOUNDS_SECONDS.length && nanos > Math.round(TaskDelayHistograms.BOUNDS_SECONDS[expected] * 1e9)) {
            expected++;
        }
        assertThat(TaskDelayHistograms.bucketOf(nanos)).isEqualTo(expected);
        if (nanos < Long.MAX_VALUE) assertThat(TaskDelayHistograms.bucketOf(nanos + 1)).as("monotonic").isBetween(expected, expected + 1);
    }

    @Test
    void everyBoundAndItsNeighboursLandInTheirBuckets() {
        for (int b = 0; b < TaskDelayHistograms.BOUNDS_SECONDS.length; b++) {
            long bound = Math.round(TaskDelayHistograms.BOUNDS_SECONDS[b] * 1e9);
            assertThat(TaskDelayHistograms.bucketOf(bound)).isEqualTo(b);
            assertThat(TaskDelayHistograms.bucketOf(bound + 1)).isEqualTo(b + 1);
            assertThat(TaskDelayHistograms.bucketOf(bound - 1)).isEqualTo(b == 0 || bound - 1 > Math.round(TaskDelayHistograms.BOUNDS_SECONDS[b - 1] * 1e9) ? b : b - 1);
        }
        assertThat(TaskDelayHistograms.bucketOf(0)).isZero();
        assertThat(TaskDelayHistograms.bucketOf(Long.MAX_VALUE)).isEqualTo(TaskDelayHistograms.BOUNDS_SECONDS.length);
    }

    @Property(tries = 200)
    void countsMatchAReferenceByDoubleComparison(@ForAll @Size(max = 300) List<@LongRange(min = 0, max = 200_000_000_000L) Long> nanos) {
        TaskDelayHistograms h = new TaskDelayHistograms();
        nanos.forEach(n -> h.record(BLKIO, n));
        double[] bounds = TaskDelayHistograms.Snapshot.upperBounds();
        TaskDelayHistograms.Snapshot s = h.snapshot(BLKIO);
        for (int b = 0; b < bounds.length; b++) {
            double le = bounds[b];
            long expected = nanos.stream().filter(n -> n / 1e9 <= le).count();
            assertThat(s.cumulative()[b]).as("le=%s", le).isEqualTo(expected);
        }
        assertThat(s.count()).isEqualTo(nanos.size());
        assertThat(s.sumSeconds()).isEqualTo(nanos.stream().mapToLong(Long::longValue).sum() / 1e9);
    }

    @Test
    void theCollectorWritesAClassicHistogramWithTheCommonTags() throws IOException {
        TaskDelayHistograms h = new TaskDelayHistograms();
        h.record(CPU, 2_000);      // le=1e-5
        h.record(CPU, 3_000_000);  // le=5e-3
        h.record(CPU, -1);         // +Inf
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new TaskDelayCollector(h, Map.of("application", "listener-service")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("# TYPE tsfleet_listener_task_delay_seconds histogram",
                "tsfleet_listener_task_delay_seconds_bucket{application=\"listener-service\",delay=\"cpu\",le=\"1.0E-6\"} 0",
                "tsfleet_listener_task_delay_seconds_bucket{application=\"listener-service\",delay=\"cpu\",le=\"1.0E-5\"} 1",
                "tsfleet_listener_task_delay_seconds_bucket{application=\"listener-service\",delay=\"cpu\",le=\"0.005\"} 2",
                "tsfleet_listener_task_delay_seconds_bucket{application=\"listener-service\",delay=\"cpu\",le=\"100.0\"} 2",
                "tsfleet_listener_task_delay_seconds_bucket{application=\"listener-service\",delay=\"cpu\",le=\"+Inf\"} 3",
                "tsfleet_listener_task_delay_seconds_count{application=\"listener-service\",delay=\"cpu\"} 3",
                "tsfleet_listener_task_delay_seconds_count{application=\"listener-service\",delay=\"irq\"} 0");
        assertThat(text.lines().filter(l -> l.startsWith("tsfleet_listener_task_delay_seconds_count"))).hasSize(8);
    }
}
