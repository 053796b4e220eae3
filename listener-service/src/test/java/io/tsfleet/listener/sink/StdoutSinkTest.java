package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The stdout sink over a real OS pipe: the jsonl line per record, in big writes, and a closed pipe counted, not fatal. */
class StdoutSinkTest {

    /** A pipe whose reading end is drained into memory by a thread; counts the writes the sink makes. */
    static final class PipeReader implements AutoCloseable {
        final Pipe pipe = Pipe.open();
        final ByteArrayOutputStream read = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();
        final Thread reader;

        PipeReader() throws IOException {
            reader = Thread.ofPlatform().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(65536);
                try {
                    while (pipe.source().read(b.clear()) >= 0) {
                        synchronized (read) {
                            read.write(b.array(), 0, b.position());
                        }
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
        }

        WritableByteChannel counting() {
            return new WritableByteChannel() {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    writes.incrementAndGet();
                    return pipe.sink().write(src);
                }

                @Override
                public boolean isOpen() {
                    return pipe.sink().isOpen();
                }

                @Override
                public void close() throws IOException {
                    pipe.sink().close();
                }
            };
        }

        String text() {
            synchronized (read) {
                return read.toString(StandardCharsets.UTF_8);
            }
        }

        void closeReadingEnd() throws IOException, InterruptedException {
            pipe.source().close();
            reader.join(5000);
        }

        @Override
        public void close() throws Exception {
            pipe.sink().close();
            reader.join(5000);
            pipe.source().close();
        }
    }

    private static String expectedLine(ExitRecordView v, String replica) {
        JsonLineEncoder e = new JsonLineEncoder(replica);
        e.encode(v);
        return new String(e.bytes(), 0, e.size(), StandardCharsets.UTF_8);
    }

    @Test
    void writesExactlyTheJsonLineOfEveryRecordInBigChunksAndOnFlush() throws Exception {
        try (PipeReader p = new PipeReader()) {
            StdoutSink sink = new StdoutSink(p.counting(), "replica-s", StdoutSink.DEFAULT_BUFFER_BYTES);
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                ExitRecordView v = JsonLinesSinkTest.record(i % 4, i, 100 + i, "p" + i, i % 10 == 0);
                v.timeEpochNanos(1_765_000_000_000_000_000L + i);
                expected.append(expectedLine(v, "replica-s"));
                sink.write(v);
            }
            assertThat(p.writes.get()).as("1000 records of ~1.5 KB in 256 KiB chunks").isBetween(1, 10);
            int beforeFlush = p.writes.get();
            sink.flush();
            assertThat(p.writes.get()).isGreaterThan(beforeFlush);
            sink.flush(); // nothing buffered: no write
            int afterFlush = p.writes.get();
            sink.flush();
            assertThat(p.writes.get()).isEqualTo(afterFlush);
            sink.close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (p.text().length() < expected.length() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(p.text()).isEqualTo(expected.toString());
        }
    }

    @Test
    void aClosedPipeLosesTheUnwrittenLinesWithTheirCpusAndTheSinkGoesOn() throws Exception {
        try (PipeReader p = new PipeReader()) {
            StdoutSink sink = new StdoutSink(p.counting(), "r", 4096);
            RecordOrigin node = RecordOrigin.of("worker-3", "b00t");
            sink.write(JsonLinesSinkTest.record(5, 1, 1, "a", false, node));
            sink.write(JsonLinesSinkTest.record(6, 2, 2, "b", false, node));
            p.closeReadingEnd(); // the log collector went away: EPIPE
            RecordsLostException lost = org.junit.jupiter.api.Assertions.assertThrows(RecordsLostException.class, sink::flush);
            assertThat(lost.cpus()).containsExactly(5, 6);
            assertThat(lost.origins()).containsExactly(node, node);
            // the next records are buffered again, and lost again at the next write, counted each time; no crash
            sink.write(JsonLinesSinkTest.record(7, 3, 3, "c", false));
            assertThatThrownBy(sink::close).isInstanceOf(RecordsLostException.class)
                    .satisfies(e -> assertThat(((RecordsLostException) e).cpus()).containsExactly(7));
            // a full buffer in front of a closed pipe: the buffered lines and the one at hand are lost, by CPU
            int thrown = 0;
            int named = 0;
            for (int i = 0; i < 20; i++) {
                try {
                    sink.write(JsonLinesSinkTest.record(9, i, i, "d", false));
                } catch (RecordsLostException e) {
                    thrown++;
                    named += e.count();
                    assertThat(e.cpus()).containsOnly(9);
                }
            }
            assertThat(thrown).as("4 KiB hold only a few lines").isPositive();
            RecordsLostException rest = org.junit.jupiter.api.Assertions.assertThrows(RecordsLostException.class, sink::flush);
            assertThat(named + rest.count()).as("every record is lost exactly once").isEqualTo(20);
        }
    }

    @Test
    void theFactoryOpensItWithoutArgumentAndRefusesOne() throws IOException {
        RecordSinkFactory f = new RecordSinkFactory(List.of());
        SinkContext ctx = new SinkContext("r", Map.of());
        try (RecordSink s = f.open("stdout", ctx)) {
            assertThat(s).isInstanceOf(StdoutSink.class);
            assertThat(s.describe()).isEqualTo("stdout");
        }
        assertThatThrownBy(() -> f.open("stdout:/tmp/x", ctx)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes no argument");
        assertThatThrownBy(() -> f.open("stdout", new SinkContext("r", Map.of("buffer", "1KB")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("buffer");
    }
}
