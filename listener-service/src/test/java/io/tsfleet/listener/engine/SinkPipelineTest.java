package io.tsfleet.listener.engine;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.testing.CollectingSink;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-off to the sink counts every record it does not write, per CPU. */
class SinkPipelineTest {

    @Test
    void recordsStillQueuedWhenTheCloseGivesUpOnAStuckSinkAreCountedPerCpu() throws Exception {
        CollectingSink sink = new CollectingSink();
        sink.block(); // a sink that hangs (a stuck remote store, a hung disk)
        SinkPipeline pipeline = new SinkPipeline(sink, 8, 8192, RecordObserver.NONE, System::nanoTime);
        Map<Integer, Long> unwritten = new ConcurrentHashMap<>();
        pipeline.lossListener((origin, cpu, n) -> unwritten.merge(cpu, n, Long::sum));
        pipeline.start();
        for (int cpu = 0; cpu < 3; cpu++) {
            SinkBatch b = pipeline.acquire(cpu);
            for (int seq = 0; seq < 3; seq++) {
                ByteBuffer frame = ExitRecordView.littleEndian(TaskstatsEvent.exit(seq, 100 + seq,
                        Taskstats.builder().set(TaskstatsField.AC_PID, 100 + seq).build()).encode(30).toBytes());
                ExitRecordView parsed = new ExitRecordView();
                assertThat(parsed.wrap(frame, 0, cpu)).isTrue();
                b.add(frame, 0, frame.remaining(), parsed);
            }
            pipeline.publish(b);
        }

        pipeline.close(Duration.ofMillis(300));

        assertThat(sink.closed()).isTrue();
        long lost = unwritten.values().stream().mapToLong(Long::longValue).sum();
        assertThat(sink.size() + lost).as("every record is written or counted").isEqualTo(9);
        assertThat(pipeline.sinkErrors()).isEqualTo(lost);
        for (int cpu = 0; cpu < 3; cpu++) {
            int c = cpu;
            long written = sink.records().stream().filter(r -> r.cpu() == c).count();
            assertThat(written + unwritten.getOrDefault(cpu, 0L)).as("cpu %d", cpu).isEqualTo(3);
        }
        assertThat(unwritten.get(1)).isEqualTo(3);
        assertThat(unwritten.get(2)).isEqualTo(3);
    }
}
