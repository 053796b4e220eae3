package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.protocol.taskstats.TaskstatsField;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The JSON-lines encoder as it was written first, plainly (one call per byte, java.time for the exit time; it
 * allocates): the reference that {@link JsonLineEncoder} must match byte for byte ({@code JsonLineEncoderTest}).
 */
final class ReferenceJsonLineEncoder {
    private static final java.time.format.DateTimeFormatter RFC3339_NANOS =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);
    private static final byte[][] NAMES = new byte[TaskstatsField.values().length][];
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static {
        for (TaskstatsField f : TaskstatsField.values()) NAMES[f.ordinal()] = ("\"" + f.cName() + "\":").getBytes(StandardCharsets.US_ASCII);
    }

    private final byte[] replicaJson;
    private final byte[] digits = new byte[20];
    private byte[] out = new byte[8192];
    private int size;

    ReferenceJsonLineEncoder(String replicaId) {
        this.replicaJson = quote(replicaId);
    }

    /** Encodes the record and a trailing newline; the result is {@link #bytes()}[0 .. {@link #size()}). */
    void encode(ExitRecordView r) {
        size = 0;
        ascii("{\"cpu\":");
        unsigned(r.cpu());
        ascii(",\"seq\":");
        unsigned(r.seq());
        ascii(",\"pid\":");
        unsigned(r.pid());
        ascii(",\"tgid\":");
        if (r.tgid() < 0) ascii("null");
        else unsigned(r.tgid());
        ascii(",\"comm\":");
        cString(r, false);
        ascii(",\"exitcode\":");
        if (r.has(TaskstatsField.AC_EXITCODE)) unsigned(r.exitCode());
        else ascii("null");
        ascii(",\"replica\":");
        raw(replicaJson);
        put((byte) ',');
        raw(r.origin().jsonMembers());
        ascii(",\"time\":");
        if (r.timeEpochNanos() == 0) ascii("null");
        else ascii("\"" + RFC3339_NANOS.format(java.time.Instant.EPOCH.plusNanos(r.timeEpochNanos())) + "\"");
        ascii(",\"scope\":\"" + r.scope().jsonName() + "\"");
        for (TaskstatsField f : TaskstatsField.values()) {
            put((byte) ',');
            raw(NAMES[f.ordinal()]);
            structField(r, f, false);
        }
        if (r.hasTgidAggregate()) {
            ascii(",\"tgid_stats\":{");
            boolean first = true;
            for (TaskstatsField f : TaskstatsField.values()) {
                if (!first) put((byte) ',');
                first = false;
                raw(NAMES[f.ordinal()]);
                structField(r, f, true);
            }
            put((byte) '}');
        }
        ascii("}\n");
    }

    byte[] bytes() {
        return out;
    }

    int size() {
        return size;
    }

    private void structField(ExitRecordView r, TaskstatsField f, boolean tgid) {
        boolean present = tgid ? r.tgidHas(f) : r.has(f);
        if (!present) {
            ascii("null");
        } else if (f == TaskstatsField.AC_COMM) {
            cString(r, tgid);
        } else if (f == TaskstatsField.AC_PAD) {
            put((byte) '[');
            for (int i = 0; i < f.size(); i++) {
                if (i > 0) put((byte) ',');
                unsigned(tgid ? r.tgidFieldByte(f, i) : r.fieldByte(f, i));
            }
            put((byte) ']');
        } else {
            unsigned(tgid ? r.tgidField(f) : r.field(f));
        }
    }

    private void cString(ExitRecordView r, boolean tgid) {
        boolean present = tgid ? r.tgidHas(TaskstatsField.AC_COMM) : r.has(TaskstatsField.AC_COMM);
        int n = !present ? 0 : tgid ? r.tgidCommLength() : r.commLength();
        put((byte) '"');
        int i = 0;
        while (i < n) {
            int b = tgid ? r.tgidFieldByte(TaskstatsField.AC_COMM, i) : r.fieldByte(TaskstatsField.AC_COMM, i);
            if (b < 0x80) {
                escapedAscii(b);
                i++;
                continue;
            }
            int len = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0;
            boolean valid = len > 0 && i + len <= n;
            for (int k = 1; valid && k < len; k++) {
                int c = tgid ? r.tgidFieldByte(TaskstatsField.AC_COMM, i + k) : r.fieldByte(TaskstatsField.AC_COMM, i + k);
                valid = (c & 0xC0) == 0x80;
            }
            if (valid) {
                for (int k = 0; k < len; k++) put((byte) (tgid ? r.tgidFieldByte(TaskstatsField.AC_COMM, i + k) : r.fieldByte(TaskstatsField.AC_COMM, i + k)));
                i += len;
            } else {
                ascii("\\ufffd");
                i++;
            }
        }
        put((byte) '"');
    }

    private void escapedAscii(int b) {
        if (b == '"' || b == '\\') {
            put((byte) '\\');
            put((byte) b);
        } else if (b < 0x20 || b == 0x7F) {
            ascii("\\u00");
            put(HEX[b >> 4]);
            put(HEX[b & 0xF]);
        } else {
            put((byte) b);
        }
    }

    /** Writes a u64 held in a long (values above 2^63 are negative). */
    private void unsigned(long v) {
        int n = 0;
        if (v < 0) {
            long q = Long.divideUnsigned(v, 10);
            digits[n++] = (byte) ('0' + (int) (v - q * 10));
            v = q;
        }
        do {
            digits[n++] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v > 0);
        ensure(n);
        while (n > 0) out[size++] = digits[--n];
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) out[size++] = (byte) s.charAt(i);
    }

    private void raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, out, size, b.length);
        size += b.length;
    }

    private void put(byte b) {
        ensure(1);
        out[size++] = b;
    }

    private void ensure(int more) {
        if (size + more > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
    }

    private static byte[] quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString().getBytes(StandardCharsets.UTF_8);
    }
}
