package io.tsfleet.listener.sink.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.protocol.taskstats.TaskstatsField;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Turns an exit record into an {@link ExitLogRecord} (docs/listener-service.md, "OTLP"): the exit time
 * ({@link ExitRecordView#timeEpochNanos()}) as timestamp and observed timestamp (the observed one is the clock's now when
 * the exit time is not known), the comm as body, and as attributes the record's fields ({@code taskstats.cpu},
 * {@code taskstats.seq}, {@code taskstats.pid}, {@code taskstats.tgid}, {@code taskstats.comm}, {@code taskstats.exitcode},
 * {@code taskstats.replica}, {@code taskstats.node}, {@code taskstats.boot_id}, {@code taskstats.scope}), every field of
 * {@code struct taskstats} as {@code taskstats.stats.<C name>} and, when the event carries it, the thread group's
 * aggregate as {@code taskstats.tgid_stats.<C name>}. Integers are int64 attributes; a u64 above 2^63 - 1 is a string
 * of its unsigned decimal (an int64 cannot hold it). {@code ac_comm} is a string, {@code ac_pad} an int64 array of its
 * three bytes. What the record does not have (a tgid, an exit code, a field beyond an older, shorter struct, a node or
 * boot id the broker did not report) is left out.
 */
final class ExitLogRecordMapper {
    static final String PREFIX = "taskstats.";
    static final String STATS_PREFIX = PREFIX + "stats.";
    static final String GROUP_PREFIX = PREFIX + "tgid_stats.";
    static final AttributeKey<Long> CPU = AttributeKey.longKey(PREFIX + "cpu");
    static final AttributeKey<Long> SEQ = AttributeKey.longKey(PREFIX + "seq");
    static final AttributeKey<Long> PID = AttributeKey.longKey(PREFIX + "pid");
    static final AttributeKey<Long> TGID = AttributeKey.longKey(PREFIX + "tgid");
    static final AttributeKey<String> COMM = AttributeKey.stringKey(PREFIX + "comm");
    static final AttributeKey<Long> EXITCODE = AttributeKey.longKey(PREFIX + "exitcode");
    static final AttributeKey<String> REPLICA = AttributeKey.stringKey(PREFIX + "replica");
    static final AttributeKey<String> NODE = AttributeKey.stringKey(PREFIX + "node");
    static final AttributeKey<String> BOOT_ID = AttributeKey.stringKey(PREFIX + "boot_id");
    static final AttributeKey<String> SCOPE = AttributeKey.stringKey(PREFIX + "scope");
    private static final FieldKeys STATS = new FieldKeys(STATS_PREFIX);
    private static final FieldKeys GROUP = new FieldKeys(GROUP_PREFIX);

    private final Resource resource;
    private final InstrumentationScopeInfo scope = InstrumentationScopeInfo.create("io.tsfleet.listener.sink.otlp");
    private final String replicaId;
    private final Clock clock;

    ExitLogRecordMapper(Resource resource, String replicaId, Clock clock) {
        this.resource = resource;
        this.replicaId = replicaId;
        this.clock = clock;
    }

    ExitLogRecord map(ExitRecordView r) {
        String comm = r.comm();
        Builder a = new Builder();
        a.add(CPU, (long) r.cpu());
        a.add(SEQ, r.seq());
        a.add(PID, r.pid());
        if (r.tgid() >= 0) a.add(TGID, r.tgid());
        a.add(COMM, comm);
        if (r.has(TaskstatsField.AC_EXITCODE)) a.add(EXITCODE, r.exitCode());
        a.add(REPLICA, replicaId);
        RecordOrigin origin = r.origin();
        if (origin.node() != null) a.add(NODE, origin.node());
        if (origin.bootId() != null) a.add(BOOT_ID, origin.bootId());
        a.add(SCOPE, r.scope().jsonName());
        for (TaskstatsField f : TaskstatsField.values()) {
            if (r.has(f)) addField(a, STATS, f, r, false, comm);
        }
        if (r.hasTgidAggregate()) {
            for (TaskstatsField f : TaskstatsField.values()) {
                if (r.tgidHas(f)) addField(a, GROUP, f, r, true, null);
            }
        }
        long time = r.timeEpochNanos();
        long observed = time != 0 ? time : nowEpochNanos();
        return new ExitLogRecord(resource, scope, time, observed, comm, a.build(), r.cpu(), origin);
    }

    private static void addField(Builder a, FieldKeys keys, TaskstatsField f, ExitRecordView r, boolean group, String comm) {
        int i = f.ordinal();
        if (f == TaskstatsField.AC_COMM) {
            a.add(keys.strings[i], group ? groupComm(r) : comm);
        } else if (f == TaskstatsField.AC_PAD) {
            Long[] pad = new Long[f.size()];
            for (int k = 0; k < pad.length; k++) pad[k] = (long) (group ? r.tgidFieldByte(f, k) : r.fieldByte(f, k));
            a.add(keys.arrays[i], List.of(pad));
        } else {
            long v = group ? r.tgidField(f) : r.field(f);
            if (v >= 0) a.add(keys.longs[i], v);
            else a.add(keys.strings[i], Long.toUnsignedString(v));
        }
    }

    /** Collects each key once, in order (see {@link ExitAttributes}). */
    private static final class Builder {
        private static final int MAX = 16 + 2 * TaskstatsField.values().length;
        private final AttributeKey<?>[] keys = new AttributeKey<?>[MAX];
        private final Object[] values = new Object[MAX];
        private int size;

        <T> void add(AttributeKey<T> key, T value) {
            keys[size] = key;
            values[size++] = value;
        }

        ExitAttributes build() {
            return new ExitAttributes(keys, values, size);
        }
    }

    private static String groupComm(ExitRecordView r) {
        byte[] b = new byte[r.tgidCommLength()];
        for (int k = 0; k < b.length; k++) b[k] = (byte) r.tgidFieldByte(TaskstatsField.AC_COMM, k);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    private long nowEpochNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The attribute keys of every struct field under one prefix, made once. */
    private static final class FieldKeys {
        final AttributeKey<Long>[] longs;
        final AttributeKey<String>[] strings;
        final AttributeKey<List<Long>>[] arrays;

        @SuppressWarnings("unchecked")
        FieldKeys(String prefix) {
            TaskstatsField[] fields = TaskstatsField.values();
            longs = new AttributeKey[fields.length];
            strings = new AttributeKey[fields.length];
            arrays = new AttributeKey[fields.length];
            for (TaskstatsField f : fields) {
                longs[f.ordinal()] = AttributeKey.longKey(prefix + f.cName());
                strings[f.ordinal()] = AttributeKey.stringKey(prefix + f.cName());
                arrays[f.ordinal()] = AttributeKey.longArrayKey(prefix + f.cName());
            }
        }
    }
}
