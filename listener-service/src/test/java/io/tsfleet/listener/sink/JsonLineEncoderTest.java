package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.listener.record.RecordScope;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON line of a record: exact text for known records, and for any record the same bytes as the plain reference
 * encoder ({@link ReferenceJsonLineEncoder}), valid JSON whose members give back the record's values.
 */
class JsonLineEncoderTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter RFC3339_NANOS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private static String line(JsonLineEncoder e, ExitRecordView v) {
        e.encode(v);
        return new String(e.bytes(), 0, e.size(), StandardCharsets.UTF_8);
    }

    /** The struct members of a version-16 struct built with only these fields set (the rest 0, version 16). */
    private static String structMembers(Map<TaskstatsField, String> values, String comm) {
        StringJoiner j = new StringJoiner(",");
        for (TaskstatsField f : TaskstatsField.values()) {
            String v = f == TaskstatsField.AC_COMM ? "\"" + comm + "\"" : f == TaskstatsField.AC_PAD ? "[0,0,0]"
                    : f == TaskstatsField.VERSION ? "16" : values.getOrDefault(f, "0");
            j.add("\"" + f.cName() + "\":" + v);
        }
        return j.toString();
    }

    @Test
    void aThreadsRecordWithTimeAndScopeIsExactlyThisLine() {
        Taskstats s = Taskstats.builder().set(TaskstatsField.AC_PID, 4243).set(TaskstatsField.AC_TGID, 4242).set(TaskstatsField.AC_EXITCODE, 256)
                .set(TaskstatsField.CPU_DELAY_TOTAL, -1L).set(TaskstatsField.AC_UTIME, 1234567890123L).comm("worker-1").build();
        ExitRecordView v = new ExitRecordView();
        v.wrap(ExitRecordView.littleEndian(TaskstatsEvent.exit(1041, 4243, s).encode(30).toBytes()), 0, 3,
                RecordOrigin.of("worker-1", "6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b"));
        v.timeEpochNanos(Instant.parse("2026-12-06T11:55:00.123456789Z").getEpochSecond() * 1_000_000_000L + 123_456_789);

        String expected = "{\"cpu\":3,\"seq\":1041,\"pid\":4243,\"tgid\":4242,\"comm\":\"worker-1\",\"exitcode\":256,\"replica\":\"listener-0\","
                + "\"node\":\"worker-1\",\"boot_id\":\"6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b\",\"time\":\"2026-12-06T11:55:00.123456789Z\",\"scope\":\"thread\","
                + structMembers(Map.of(TaskstatsField.AC_PID, "4243", TaskstatsField.AC_TGID, "4242", TaskstatsField.AC_EXITCODE, "256",
                TaskstatsField.CPU_DELAY_TOTAL, "18446744073709551615", TaskstatsField.AC_UTIME, "1234567890123"), "worker-1")
                + "}\n";
        assertThat(line(new JsonLineEncoder("listener-0"), v)).isEqualTo(expected);
    }

    @Test
    void aGroupRecordWithUnknownTimeAndAnOldShortStructIsExactlyThisLine() {
        Taskstats s = Taskstats.builder().set(TaskstatsField.AC_PID, 7).set(TaskstatsField.AC_TGID, 7).comm("a\"b\\\u0001").build();
        Taskstats group = Taskstats.builder().set(TaskstatsField.CPU_COUNT, 3).build();
        ExitRecordView v = new ExitRecordView();
        v.wrap(ExitRecordView.littleEndian(TaskstatsEvent.exitWithGroup(9, 7, s, 7, group).encode(30).toBytes()), 0, 0);
        String expected = "{\"cpu\":0,\"seq\":9,\"pid\":7,\"tgid\":7,\"comm\":\"a\\\"b\\\\\\u0001\",\"exitcode\":0,\"replica\":\"r\\\"1\","
                + "\"node\":null,\"boot_id\":null,\"time\":null,\"scope\":\"group\","
                + structMembers(Map.of(TaskstatsField.AC_PID, "7", TaskstatsField.AC_TGID, "7"), "a\\\"b\\\\\\u0001")
                + ",\"tgid_stats\":{" + structMembers(Map.of(TaskstatsField.CPU_COUNT, "3"), "") + "}}\n";
        assertThat(line(new JsonLineEncoder("r\"1"), v)).isEqualTo(expected);

        // version 1 of the struct ends after ac_nice (16 bytes here): everything later is null, tgid and comm unknown
        byte[] old = new byte[16];
        old[0] = 1;
        old[TaskstatsField.AC_EXITCODE.offset()] = 2;
        ExitRecordView w = new ExitRecordView();
        w.wrap(ExitRecordView.littleEndian(TaskstatsEvent.exit(5, 99, Taskstats.decode(old)).encode(30).toBytes()), 0, 1);
        w.timeEpochNanos(1);
        StringJoiner j = new StringJoiner(",");
        for (TaskstatsField f : TaskstatsField.values()) {
            j.add("\"" + f.cName() + "\":" + (f == TaskstatsField.VERSION ? "1" : f == TaskstatsField.AC_EXITCODE ? "2"
                    : f.end() <= 16 ? "0" : "null"));
        }
        assertThat(line(new JsonLineEncoder("r"), w)).isEqualTo("{\"cpu\":1,\"seq\":5,\"pid\":99,\"tgid\":null,\"comm\":\"\",\"exitcode\":2,"
                + "\"replica\":\"r\",\"node\":null,\"boot_id\":null,\"time\":\"1970-01-01T00:00:00.000000001Z\",\"scope\":\"thread\"," + j + "}\n");
    }

    /** One record as the replica sees it: the event somewhere in a receive batch (heap or direct). */
    record Case(byte[] pidStruct, byte[] groupStruct, long pid, long tgid, int seq, int cpu, String node, String bootId,
                long timeEpochNanos, int lead, boolean direct) {

        ExitRecordView view() {
            TaskstatsEvent ev = groupStruct == null ? TaskstatsEvent.exit(seq, pid, Taskstats.decode(pidStruct))
                    : TaskstatsEvent.exitWithGroup(seq, pid, Taskstats.decode(pidStruct), tgid, Taskstats.decode(groupStruct));
            byte[] frame = ev.encode(30).toBytes();
            ByteBuffer buf = direct ? ByteBuffer.allocateDirect(lead + frame.length) : ByteBuffer.allocate(lead + frame.length);
            buf.order(ByteOrder.LITTLE_ENDIAN).put(lead, frame);
            ExitRecordView v = new ExitRecordView();
            if (!v.wrap(buf, lead, cpu, RecordOrigin.of(node, bootId))) throw new AssertionError("bad test event");
            v.timeEpochNanos(timeEpochNanos);
            return v;
        }

        @Override
        public String toString() {
            return "Case[pid=" + pid + ", seq=" + seq + ", cpu=" + cpu + ", struct=" + pidStruct.length + "B, group=" + (groupStruct != null)
                    + ", node=" + node + ", time=" + timeEpochNanos + ", lead=" + lead + ", direct=" + direct + "]";
        }
    }

    @Provide
    Arbitrary<Case> records() {
        Arbitrary<byte[]> struct = Arbitraries.integers().between(2, 600).flatMap(len -> Arbitraries.oneOf(
                // any bytes; mostly-zero structs with a few values of every size (as the kernel's look), and real comm names
                Arbitraries.bytes().array(byte[].class).ofSize(len),
                Arbitraries.longs().list().ofSize(6).map(vals -> sparse(len, vals))));
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.strings().ofMaxLength(20),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12));
        Arbitrary<Long> times = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs(),
                Arbitraries.longs().between(1_700_000_000_000_000_000L, 1_900_000_000_000_000_000L));
        return Combinators.combine(
                Combinators.combine(struct, Arbitraries.oneOf(Arbitraries.just((byte[]) null), struct),
                        Arbitraries.longs().between(0, 0xFFFF_FFFFL), Arbitraries.longs().between(0, 0xFFFF_FFFFL)).as(Pair::new),
                Arbitraries.integers(), Arbitraries.integers().between(0, 8191), names, names, times,
                Arbitraries.integers().between(0, 64), Arbitraries.of(false, true))
                .as((p, seq, cpu, node, boot, time, lead, direct) -> new Case(p.pid, p.group, p.pidId, p.tgidId, seq, cpu, node, boot, time, lead, direct));
    }

    record Pair(byte[] pid, byte[] group, long pidId, long tgidId) {
    }

    private static byte[] sparse(int len, List<Long> vals) {
        byte[] b = Taskstats.builder().set(TaskstatsField.AC_PID, vals.get(0) & 0xFFFF_FFFFL).set(TaskstatsField.AC_TGID, vals.get(1) & 0xFFFF_FFFFL)
                .set(TaskstatsField.CPU_DELAY_TOTAL, vals.get(2)).set(TaskstatsField.AC_UTIME, vals.get(3) >>> (vals.get(4) & 63))
                .set(TaskstatsField.AC_NICE, vals.get(4)).set(TaskstatsField.VERSION, vals.get(5))
                .comm(new String(new char[]{(char) ('a' + (vals.get(5) & 15)), 'é', '\n'}, 0, (int) (vals.get(5) >>> 60) % 4)).build().toBytes();
        return java.util.Arrays.copyOf(b, len);
    }

    @Property(tries = 400)
    void everyLineIsTheReferenceLineAndValidJsonThatGivesBackTheRecord(@ForAll("records") Case c) {
        ExitRecordView v = c.view();
        JsonLineEncoder fast = new JsonLineEncoder("replica-" + c.cpu());
        ReferenceJsonLineEncoder reference = new ReferenceJsonLineEncoder("replica-" + c.cpu());
        fast.encode(v);
        reference.encode(v);
        assertThat(new String(fast.bytes(), 0, fast.size(), StandardCharsets.UTF_8))
                .isEqualTo(new String(reference.bytes(), 0, reference.size(), StandardCharsets.UTF_8));
        assertThat(fast.bytes()[fast.size() - 1]).isEqualTo((byte) '\n');

        JsonNode j = JSON.readTree(new String(fast.bytes(), 0, fast.size() - 1, StandardCharsets.UTF_8));
        List<String> names = new ArrayList<>();
        j.propertyNames().forEach(names::add);
        assertThat(names.subList(0, 11)).containsExactly("cpu", "seq", "pid", "tgid", "comm", "exitcode", "replica", "node", "boot_id", "time", "scope");
        assertThat(j.get("cpu").asInt()).isEqualTo(c.cpu());
        assertThat(j.get("seq").asLong()).isEqualTo(Integer.toUnsignedLong(c.seq()));
        assertThat(j.get("pid").asLong()).isEqualTo(v.pid());
        assertThat(j.get("node").isNull() ? null : j.get("node").asString()).isEqualTo(c.node());
        assertThat(j.get("boot_id").isNull() ? null : j.get("boot_id").asString()).isEqualTo(c.bootId());
        assertThat(j.get("scope").asString()).isEqualTo(v.scope().jsonName());
        if (c.timeEpochNanos() == 0) {
            assertThat(j.get("time").isNull()).isTrue();
        } else {
            assertThat(Instant.parse(j.get("time").asString()))
                    .isEqualTo(Instant.ofEpochSecond(Math.floorDiv(c.timeEpochNanos(), 1_000_000_000L), Math.floorMod(c.timeEpochNanos(), 1_000_000_000L)));
        }
        for (TaskstatsField f : TaskstatsField.values()) {
            JsonNode m = j.get(f.cName());
            if (!v.has(f)) assertThat(m.isNull()).as(f.cName()).isTrue();
            else if (f.isNumeric()) assertThat(m.bigIntegerValue()).as(f.cName()).isEqualTo(new java.math.BigInteger(Long.toUnsignedString(v.field(f))));
        }
        assertThat(j.has("tgid_stats")).isEqualTo(v.hasTgidAggregate());
        if (v.hasTgidAggregate()) {
            for (TaskstatsField f : TaskstatsField.values()) {
                JsonNode m = j.get("tgid_stats").get(f.cName());
                if (!v.tgidHas(f)) assertThat(m.isNull()).as(f.cName()).isTrue();
                else if (f.isNumeric()) assertThat(m.bigIntegerValue()).as(f.cName()).isEqualTo(new java.math.BigInteger(Long.toUnsignedString(v.tgidField(f))));
            }
        }
    }

    @Property(tries = 2000)
    void theTimeIsRfc3339WithNanosecondsInUtcAsJavaTimeFormatsIt(@ForAll @LongRange(min = Long.MIN_VALUE, max = Long.MAX_VALUE) long epochNanos,
                                                                  @ForAll @LongRange(min = -2_000_000_000L, max = 2_000_000_000L) long later) {
        if (epochNanos == 0) return;
        JsonLineEncoder e = new JsonLineEncoder("r");
        ExitRecordView v = new Case(Taskstats.builder().build().toBytes(), null, 1, 1, 1, 0, null, null, epochNanos, 0, false).view();
        for (long nanos : new long[]{epochNanos, epochNanos + later, epochNanos}) { // the cached second is left and come back to
            if (nanos == 0 || (later > 0 && nanos < epochNanos) || (later < 0 && nanos > epochNanos)) continue; // 0 or overflow
            v.timeEpochNanos(nanos);
            Instant instant = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
            assertThat(JSON.readTree(line(e, v)).get("time").asString()).isEqualTo(RFC3339_NANOS.format(instant));
        }
    }

    @Property(tries = 3000)
    void eightDigitsAtOnceAreTheDecimalDigits(@ForAll @LongRange(min = 0, max = 99_999_999) long x) {
        long word = JsonLineEncoder.eightDigits((int) x);
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (word >>> (8 * i));
        assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo(String.format("%08d", x));
    }

    @Test
    void scopesAreNamedAsRecordScopeNamesThem() {
        assertThat(RecordScope.THREAD.jsonName()).isEqualTo("thread");
        Taskstats single = Taskstats.builder().set(TaskstatsField.AC_PID, 5).set(TaskstatsField.AC_TGID, 5).build();
        ExitRecordView v = new Case(single.toBytes(), null, 5, 5, 1, 0, null, null, 0, 0, false).view();
        assertThat(JSON.readTree(line(new JsonLineEncoder("r"), v)).get("scope").asString()).isEqualTo("process");
    }
}
