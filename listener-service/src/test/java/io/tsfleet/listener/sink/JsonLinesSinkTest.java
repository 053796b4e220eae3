package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonLinesSinkTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    static ExitRecordView record(int cpu, int seq, long pid, String comm, boolean group) {
        return record(cpu, seq, pid, comm, group, RecordOrigin.UNKNOWN);
    }

    static ExitRecordView record(int cpu, int seq, long pid, String comm, boolean group, RecordOrigin origin) {
        Taskstats s = Taskstats.builder().set(TaskstatsField.AC_PID, pid).set(TaskstatsField.AC_TGID, pid).set(TaskstatsField.AC_EXITCODE, 9)
                .set(TaskstatsField.CPU_DELAY_TOTAL, -1L).set(TaskstatsField.BLKIO_DELAY_TOTAL, 12345).comm(comm).build();
        TaskstatsEvent ev = group
                ? TaskstatsEvent.exitWithGroup(seq, pid, s, pid, Taskstats.builder().set(TaskstatsField.CPU_COUNT, 3).build())
                : TaskstatsEvent.exit(seq, pid, s);
        ExitRecordView v = new ExitRecordView();
        if (!v.wrap(ExitRecordView.littleEndian(ev.encode(30).toBytes()), 0, cpu, origin)) throw new AssertionError("bad test event");
        return v;
    }

    @Test
    void oneObjectPerRecordWithEveryStructFieldUnderItsCName() throws IOException {
        Path file = dir.resolve("out/records.jsonl");
        try (JsonLinesSink sink = new JsonLinesSink(file, "replica-a", 1 << 20, 3)) {
            sink.write(record(7, 0xFFFF_FFFF, 321, "sh\"\\\u0001x", false));
            sink.write(record(8, 5, 400, "java", true));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode a = JSON.readTree(lines.get(0));
        assertThat(a.propertyNames()).startsWith("cpu", "seq", "pid", "tgid", "comm", "exitcode", "replica", "node", "boot_id");
        assertThat(a.get("node").isNull()).as("a broker that did not name its node").isTrue();
        assertThat(a.get("boot_id").isNull()).isTrue();
        assertThat(a.get("cpu").asInt()).isEqualTo(7);
        assertThat(a.get("seq").asLong()).isEqualTo(0xFFFF_FFFFL);
        assertThat(a.get("pid").asLong()).isEqualTo(321);
        assertThat(a.get("tgid").asLong()).isEqualTo(321);
        assertThat(a.get("comm").asString()).isEqualTo("sh\"\\\u0001x");
        assertThat(a.get("exitcode").asLong()).isEqualTo(9);
        assertThat(a.get("replica").asString()).isEqualTo("replica-a");
        for (TaskstatsField f : TaskstatsField.values()) assertThat(a.has(f.cName())).as(f.cName()).isTrue();
        assertThat(a.get("cpu_delay_total").bigIntegerValue()).isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(a.get("blkio_delay_total").asLong()).isEqualTo(12345);
        assertThat(a.get("version").asInt()).isEqualTo(16);
        assertThat(a.get("ac_pad").size()).isEqualTo(3);
        assertThat(a.has("tgid_stats")).isFalse();

        JsonNode b = JSON.readTree(lines.get(1));
        assertThat(b.get("tgid_stats").get("cpu_count").asLong()).isEqualTo(3);
        for (TaskstatsField f : TaskstatsField.values()) assertThat(b.get("tgid_stats").has(f.cName())).isTrue();
    }

    @Test
    void everyLineCarriesTheNodeAndBootItsConnectionReported() throws IOException {
        RecordOrigin worker = RecordOrigin.of("worker-1.zone-a", "6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b");
        RecordOrigin odd = RecordOrigin.of("we\"ird\\\u0001", null); // escaped, whatever a broker sent
        Path file = dir.resolve("origin.jsonl");
        try (JsonLinesSink sink = new JsonLinesSink(file, "r", 1 << 20, 1)) {
            sink.write(record(3, 7, 10, "a", false, worker));
            sink.write(record(3, 8, 11, "b", true, worker));
            sink.write(record(4, 7, 12, "c", false, odd));
        }
        List<String> lines = Files.readAllLines(file);
        JsonNode a = JSON.readTree(lines.get(0));
        assertThat(a.get("node").asString()).isEqualTo("worker-1.zone-a");
        assertThat(a.get("boot_id").asString()).isEqualTo("6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b");
        assertThat(lines.get(0)).contains("\"replica\":\"r\",\"node\":\"worker-1.zone-a\",\"boot_id\":\"6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b\",\"");
        JsonNode b = JSON.readTree(lines.get(1));
        assertThat(b.get("node").asString()).isEqualTo("worker-1.zone-a");
        assertThat(b.get("tgid_stats").has("node")).as("once per record, not in the aggregate").isFalse();
        JsonNode c = JSON.readTree(lines.get(2));
        assertThat(c.get("node").asString()).isEqualTo("we\"ird\\\u0001");
        assertThat(c.get("boot_id").isNull()).isTrue();
    }

    @Test
    void invalidUtf8InCommBecomesTheReplacementCharacter() throws IOException {
        Taskstats s = Taskstats.builder().build();
        byte[] raw = s.toBytes();
        raw[TaskstatsField.AC_COMM.offset()] = (byte) 0xC3;
        raw[TaskstatsField.AC_COMM.offset() + 1] = (byte) 0xA9; // é
        raw[TaskstatsField.AC_COMM.offset() + 2] = (byte) 0xFF; // invalid
        ExitRecordView v = new ExitRecordView();
        v.wrap(ExitRecordView.littleEndian(TaskstatsEvent.exit(1, 1, Taskstats.decode(raw)).encode(30).toBytes()), 0, 0);
        Path file = dir.resolve("utf.jsonl");
        try (JsonLinesSink sink = new JsonLinesSink(file, "r", 1 << 20, 1)) {
            sink.write(v);
        }
        assertThat(JSON.readTree(Files.readString(file)).get("comm").asString()).isEqualTo("é\ufffd");
    }

    @Test
    void rotatesBySizeWithoutSplittingRecordsAndKeepsTheConfiguredNumberOfFiles() throws IOException {
        Path file = dir.resolve("rot.jsonl");
        int records = 60;
        long maxBytes;
        try (JsonLinesSink sink = new JsonLinesSink(file, "r", 8 * 1024, 2)) {
            for (int i = 0; i < records; i++) sink.write(record(0, i, i, "t", false));
            assertThat(sink.rotations()).isGreaterThanOrEqualTo(3);
            maxBytes = 8 * 1024;
        }
        assertThat(Files.exists(dir.resolve("rot.jsonl.1"))).isTrue();
        assertThat(Files.exists(dir.resolve("rot.jsonl.2"))).isTrue();
        assertThat(Files.exists(dir.resolve("rot.jsonl.3"))).isFalse();
        long lastSeq = -1;
        for (String name : List.of("rot.jsonl.2", "rot.jsonl.1", "rot.jsonl")) {
            Path p = dir.resolve(name);
            assertThat(Files.size(p)).isLessThanOrEqualTo(maxBytes);
            for (String line : Files.readAllLines(p)) {
                long seq = JSON.readTree(line).get("seq").asLong();
                assertThat(seq).isEqualTo(lastSeq < 0 ? seq : lastSeq + 1);
                lastSeq = seq;
            }
        }
        assertThat(lastSeq).isEqualTo(records - 1);
    }

    @Test
    void flushMakesRecordsVisibleAndCloseSyncsThem() throws IOException {
        Path file = dir.resolve("flush.jsonl");
        JsonLinesSink sink = new JsonLinesSink(file, "r", 1 << 20, 1);
        sink.write(record(0, 1, 1, "a", false));
        assertThat(Files.size(file)).isZero();
        sink.flush();
        assertThat(Files.readAllLines(file)).hasSize(1);
        sink.write(record(0, 2, 2, "b", false));
        sink.close();
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    @Test
    void aFileClosedUnderAFailedWriteIsReopenedAndNothingIsLostOrWrittenTwice() throws IOException {
        Path file = dir.resolve("reopen.jsonl");
        JsonLinesSink sink = new JsonLinesSink(file, "r", 1 << 20, 1);
        sink.write(record(0, 1, 1, "a", false));
        sink.write(record(0, 2, 2, "b", false));
        Thread.currentThread().interrupt(); // an interrupted writer: the JDK closes the file under the write
        try {
            assertThatThrownBy(sink::flush).isInstanceOf(java.nio.channels.ClosedByInterruptException.class);
        } finally {
            Thread.interrupted();
        }
        sink.write(record(0, 3, 3, "c", false));
        sink.close();
        assertThat(Files.readAllLines(file)).extracting(l -> JSON.readTree(l).get("seq").asLong()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void anExistingFileIsAppendedTo() throws IOException {
        Path file = dir.resolve("append.jsonl");
        Files.writeString(file, "{\"earlier\":true}\n");
        try (JsonLinesSink sink = new JsonLinesSink(file, "r", 1 << 20, 1)) {
            sink.write(record(0, 1, 1, "a", false));
        }
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    @Test
    void theFactoryResolvesSchemesAndRejectsBadSpecs() throws IOException {
        RecordSinkFactory f = new RecordSinkFactory(List.of());
        SinkContext ctx = new SinkContext("r", Map.of("max-file-bytes", "65536", "max-files", "2"));
        try (RecordSink none = f.open("none", ctx)) {
            assertThat(none).isInstanceOf(NoneSink.class);
        }
        try (RecordSink jsonl = f.open("jsonl:" + dir.resolve("x.jsonl"), ctx)) {
            assertThat(jsonl.describe()).startsWith("jsonl:").endsWith("x.jsonl");
        }
        assertThatThrownBy(() -> f.open("carrier-pigeon:coop", ctx)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown sink scheme 'carrier-pigeon'").hasMessageContaining("kafka");
        assertThatThrownBy(() -> f.open("jsonl:", ctx)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a file");
        assertThatThrownBy(() -> f.open("none:x", ctx)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.open("jsonl:" + dir.resolve("y"), new SinkContext("r", Map.of("max-file-bytes", "lots"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-file-bytes");
    }

    /** A contributed sink that keeps what it is given, so the test can see where records went. */
    private static final class MemorySink implements RecordSink {
        final String argument;
        final SinkContext context;
        final List<String> written = new java.util.ArrayList<>();
        int flushes;
        boolean closed;

        MemorySink(String argument, SinkContext context) {
            this.argument = argument;
            this.context = context;
        }

        @Override
        public void write(ExitRecordView record) {
            written.add(record.cpu() + "/" + record.seq() + "/" + record.pid());
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String describe() {
            return "memory " + argument;
        }
    }

    @Test
    void aContributedProviderIsUsedForItsScheme() throws IOException {
        List<MemorySink> opened = new java.util.ArrayList<>();
        RecordSinkProvider custom = new RecordSinkProvider() {
            @Override
            public String scheme() {
                return "memory";
            }

            @Override
            public RecordSink open(String argument, SinkContext context) {
                MemorySink sink = new MemorySink(argument, context);
                opened.add(sink);
                return sink;
            }
        };
        RecordSinkFactory f = new RecordSinkFactory(List.of(custom));
        SinkContext context = new SinkContext("replica-7", Map.of("colour", "blue"));
        RecordSink s = f.open("MEMORY:bucket:a/b", context);

        assertThat(opened).as("the provider of the scheme (case-insensitive) opened exactly one sink").hasSize(1);
        MemorySink memory = opened.getFirst();
        assertThat(s).as("no option wraps it: the factory returns the provider's sink itself").isSameAs(memory);
        assertThat(memory.argument).as("everything after the first colon").isEqualTo("bucket:a/b");
        assertThat(memory.context).isSameAs(context);
        assertThat(s.describe()).isEqualTo("memory bucket:a/b");

        s.write(record(3, 41, 1234, "sh", false));
        s.write(record(5, 7, 99, "cc1", true));
        s.flush();
        s.close();
        assertThat(memory.written).containsExactly("3/41/1234", "5/7/99");
        assertThat(memory.flushes).isEqualTo(1);
        assertThat(memory.closed).isTrue();

        try (RecordSink none = f.open("none", context)) {
            assertThat(none).as("the built-in schemes stay").isInstanceOf(NoneSink.class);
        }
        assertThat(opened).as("other schemes do not reach the contributed provider").hasSize(1);
    }
}
