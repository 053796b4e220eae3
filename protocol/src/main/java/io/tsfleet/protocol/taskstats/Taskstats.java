package io.tsfleet.protocol.taskstats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A {@code struct taskstats} as bytes, of any version: the length is whatever {@code nla_len} said, so
 * older (shorter) and future (longer) structs decode without error and re-encode byte for byte. Fields
 * beyond the length read as 0 and are reported absent by {@link #has}.
 */
public final class Taskstats {
    private final byte[] raw;

    private Taskstats(byte[] raw) {
        this.raw = raw;
    }

    /** Wraps a copy of {@code length} bytes at {@code offset}. */
    public static Taskstats decode(byte[] bytes, int offset, int length) {
        return new Taskstats(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    public static Taskstats decode(byte[] bytes) {
        return new Taskstats(bytes.clone());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The struct's size in bytes. */
    public int size() {
        return raw.length;
    }

    public int version() {
        return (int) get(TaskstatsField.VERSION);
    }

    public boolean has(TaskstatsField field) {
        return field.end() <= raw.length;
    }

    /** The field's value (unsigned; a u64 above 2^63 comes back negative, use {@link Long#toUnsignedString}). */
    public long get(TaskstatsField field) {
        return has(field) ? read(ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN), 0, field) : 0;
    }

    /** {@code ac_comm} up to its first NUL. */
    public String comm() {
        return has(TaskstatsField.AC_COMM) ? comm(ByteBuffer.wrap(raw), 0) : "";
    }

    public byte[] toBytes() {
        return raw.clone();
    }

    public void writeTo(ByteBuffer out) {
        out.put(raw);
    }

    /** Reads one field of a struct that starts at {@code structOffset} in {@code buf} (no allocation). */
    public static long read(ByteBuffer buf, int structOffset, TaskstatsField field) {
        int at = structOffset + field.offset();
        ByteBuffer le = buf.order() == ByteOrder.LITTLE_ENDIAN ? buf : buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return switch (field.size()) {
            case 1 -> Byte.toUnsignedLong(le.get(at));
            case 2 -> Short.toUnsignedLong(le.getShort(at));
            case 4 -> Integer.toUnsignedLong(le.getInt(at));
            case 8 -> le.getLong(at);
            default -> throw new IllegalArgumentException(field + " is not an integer field");
        };
    }

    /** {@code ac_comm} of a struct at {@code structOffset} in {@code buf}. */
    public static String comm(ByteBuffer buf, int structOffset) {
        int at = structOffset + TaskstatsField.AC_COMM.offset();
        int n = 0;
        while (n < TaskstatsField.AC_COMM.size() && buf.get(at + n) != 0) n++;
        byte[] b = new byte[n];
        buf.get(at, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Taskstats t && Arrays.equals(raw, t.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "Taskstats[v" + version() + ", " + raw.length + " bytes, pid=" + get(TaskstatsField.AC_PID) + ", comm=" + comm() + "]";
    }

    /** Builds a version-16 struct (560 bytes, {@code version} = 16 unless set otherwise). */
    public static final class Builder {
        private final ByteBuffer buf = ByteBuffer.allocate(TaskstatsProtocol.STRUCT_SIZE).order(ByteOrder.LITTLE_ENDIAN);

        private Builder() {
            set(TaskstatsField.VERSION, TaskstatsProtocol.STRUCT_VERSION);
        }

        public Builder set(TaskstatsField field, long value) {
            int at = field.offset();
            switch (field.size()) {
                case 1 -> buf.put(at, (byte) value);
                case 2 -> buf.putShort(at, (short) value);
                case 4 -> buf.putInt(at, (int) value);
                case 8 -> buf.putLong(at, value);
                default -> throw new IllegalArgumentException(field + " is not an integer field");
            }
            return this;
        }

        /** Sets {@code ac_comm}: at most 31 bytes of UTF-8, NUL padded (as the kernel's {@code TASK_COMM_LEN} 16 fits). */
        public Builder comm(String comm) {
            byte[] b = comm.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(b.length, TaskstatsField.AC_COMM.size() - 1);
            int at = TaskstatsField.AC_COMM.offset();
            for (int i = 0; i < TaskstatsField.AC_COMM.size(); i++) buf.put(at + i, i < n ? b[i] : 0);
            return this;
        }

        public Taskstats build() {
            return new Taskstats(buf.array().clone());
        }
    }
}
