package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimitedSinkTest {

    /** A sink that records when each write happened on the fake clock. */
    private static final class TimedSink implements RecordSink {
        final List<Long> writes = new ArrayList<>();
        final long[] clock;

        TimedSink(long[] clock) {
            this.clock = clock;
        }

        @Override
        public void write(ExitRecordView record) {
            writes.add(clock[0]);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public String describe() {
            return "timed";
        }
    }

    @Test
    void aCappedKafkaSinkStillConfirmsAsynchronously() throws Exception {
        RecordSinkFactory factory = new RecordSinkFactory(List.of());
        Map<String, String> options = Map.of("bootstrap-servers", "127.0.0.1:9", "max-records-per-second", "100", "close-timeout", "0s");
        try (RecordSink sink = factory.open("kafka:exits", new SinkContext("r", options))) {
            assertThat(sink).isInstanceOf(RateLimitedSink.class);
            assertThat(sink.confirmsAsynchronously()).as("the pipeline must not count write() returns as written").isTrue();
        }
        try (RecordSink none = factory.open("none", new SinkContext("r", Map.of("max-records-per-second", "100")))) {
            assertThat(none.confirmsAsynchronously()).isFalse();
        }
    }

    @Test
    void paceNeverExceedsTheCapAndAnIdleSinkDoesNotBurstAfterwards() throws Exception {
        long[] clock = {0};
        TimedSink inner = new TimedSink(clock);
        RateLimitedSink sink = new RateLimitedSink(inner, 1000, () -> clock[0], nanos -> clock[0] += nanos);
        ExitRecordView r = JsonLinesSinkTest.record(0, 1, 10, "x", false);
        for (int i = 0; i < 5000; i++) {
            sink.write(r);
            clock[0] += 1_000;                  // the sink itself takes 1 us
        }
        assertThat(inner.writes).hasSize(5000);
        assertThat(clock[0]).as("5000 records at 1000/s take about 5 s").isBetween(4_990_000_000L, 5_010_000_000L);
        assertThat(maxInAnySecond(inner.writes)).isLessThanOrEqualTo(1000 + 3);

        clock[0] += 10_000_000_000L;            // idle for 10 s
        int before = inner.writes.size();
        long idleEnd = clock[0];
        for (int i = 0; i < 100; i++) sink.write(r);
        assertThat(inner.writes.subList(before, inner.writes.size()).getLast() - idleEnd)
                .as("no burst after idling: 100 records still take about 0.1 s").isGreaterThan(95_000_000L);
        assertThat(sink.describe()).contains("at most 1000 records/s");
    }

    private static int maxInAnySecond(List<Long> times) {
        int max = 0;
        for (int i = 0, j = 0; i < times.size(); i++) {
            while (times.get(i) - times.get(j) >= 1_000_000_000L) j++;
            max = Math.max(max, i - j + 1);
        }
        return max;
    }

    @Test
    void realTimePacingHoldsTheRate() throws Exception {
        TimedSink inner = new TimedSink(new long[1]);
        RateLimitedSink sink = new RateLimitedSink(inner, 2000);
        ExitRecordView r = JsonLinesSinkTest.record(0, 1, 10, "x", false);
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) sink.write(r);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(1000 / seconds).as("records per second").isLessThan(2000 * 1.1);
    }

    @Test
    void theFactoryAppliesTheOptionToAnySinkAndRejectsNonsense() throws Exception {
        RecordSinkFactory f = new RecordSinkFactory(List.of());
        RecordSink limited = f.open("none", new SinkContext("r", Map.of(RecordSinkFactory.MAX_RECORDS_PER_SECOND, "500")));
        assertThat(limited).isInstanceOf(RateLimitedSink.class);
        assertThat(f.open("none", new SinkContext("r", Map.of()))).isNotInstanceOf(RateLimitedSink.class);
        assertThatThrownBy(() -> f.open("none", new SinkContext("r", Map.of(RecordSinkFactory.MAX_RECORDS_PER_SECOND, "fast"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a number");
    }
}
