package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * The values of one {@code struct taskstats} v16 while the emulated kernel works with it: one long per
 * {@link TaskstatsField} plus {@code ac_comm}. {@link #writeTo} lays it out byte for byte (560 bytes).
 */
public final class StatsVector {
    private static final TaskstatsField[] FIELDS = TaskstatsField.values();
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * The fields a thread-group aggregate carries ({@code fill_stats_for_tgid} / {@code fill_tgid_exit}):
     * the delay accounting, elapsed, user and system time, and context switches. Everything else
     * (identity, memory, I/O) stays zero in a TGID record.
     */
    static final Set<TaskstatsField> SUMMED = EnumSet.of(
            TaskstatsField.CPU_COUNT, TaskstatsField.CPU_DELAY_TOTAL, TaskstatsField.BLKIO_COUNT, TaskstatsField.BLKIO_DELAY_TOTAL,
            TaskstatsField.SWAPIN_COUNT, TaskstatsField.SWAPIN_DELAY_TOTAL, TaskstatsField.CPU_RUN_REAL_TOTAL,
            TaskstatsField.CPU_RUN_VIRTUAL_TOTAL, TaskstatsField.CPU_SCALED_RUN_REAL_TOTAL, TaskstatsField.FREEPAGES_COUNT,
            TaskstatsField.FREEPAGES_DELAY_TOTAL, TaskstatsField.THRASHING_COUNT, TaskstatsField.THRASHING_DELAY_TOTAL,
            TaskstatsField.COMPACT_COUNT, TaskstatsField.COMPACT_DELAY_TOTAL, TaskstatsField.WPCOPY_COUNT,
            TaskstatsField.WPCOPY_DELAY_TOTAL, TaskstatsField.IRQ_COUNT, TaskstatsField.IRQ_DELAY_TOTAL,
            TaskstatsField.AC_ETIME, TaskstatsField.AC_UTIME, TaskstatsField.AC_STIME, TaskstatsField.NVCSW, TaskstatsField.NIVCSW);

    private static final int[] MAXIMA = java.util.Arrays.stream(FIELDS).filter(f -> f.cName().endsWith("_delay_max"))
            .mapToInt(Enum::ordinal).toArray();
    private static final int[] MINIMA = java.util.Arrays.stream(FIELDS).filter(f -> f.cName().endsWith("_delay_min"))
            .mapToInt(Enum::ordinal).toArray();

    private static final byte[] NO_BYTES = new byte[0];
    /** The layout by field width: ordinals and byte offsets of the 8-, 4-, 2- and 1-byte integer fields. */
    private static final int[] LONG_FIELDS = fieldsOfSize(8);
    private static final int[] LONG_OFFSETS = offsetsOf(LONG_FIELDS);
    /** The 8-byte fields as runs adjacent both in ordinal and in the struct: {first ordinal, byte offset, count}... */
    private static final int[] LONG_RUNS = runsOf(LONG_FIELDS);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int[] INT_FIELDS = fieldsOfSize(4);
    private static final int[] INT_OFFSETS = offsetsOf(INT_FIELDS);
    private static final int[] SHORT_FIELDS = fieldsOfSize(2);
    private static final int[] SHORT_OFFSETS = offsetsOf(SHORT_FIELDS);
    private static final int[] BYTE_FIELDS = fieldsOfSize(1);
    private static final int[] BYTE_OFFSETS = offsetsOf(BYTE_FIELDS);

    private final long[] values = new long[FIELDS.length];
    private String comm = "";
    private byte[] commBytes = NO_BYTES;

    public StatsVector() {
        values[TaskstatsField.VERSION.ordinal()] = TaskstatsProtocol.STRUCT_VERSION;
    }

    public long get(TaskstatsField f) {
        return values[f.ordinal()];
    }

    public StatsVector set(TaskstatsField f, long v) {
        values[f.ordinal()] = v;
        return this;
    }

    public String comm() {
        return comm;
    }

    public StatsVector comm(String c) {
        comm = c == null ? "" : c;
        commBytes = commBytes(comm);
        return this;
    }

    public StatsVector copy() {
        StatsVector v = new StatsVector();
        System.arraycopy(values, 0, v.values, 0, values.length);
        v.comm = comm;
        v.commBytes = commBytes;
        return v;
    }

    /** Adds a thread into a group aggregate as {@code delayacct_add_tsk} and friends do (sums; max of maxima; min of minima). */
    public void accumulate(StatsVector thread) {
        for (TaskstatsField f : SUMMED) values[f.ordinal()] += thread.values[f.ordinal()];
        for (int i : MAXIMA) values[i] = Math.max(values[i], thread.values[i]);
        for (int i : MINIMA) {
            if (thread.values[i] != 0) values[i] = values[i] == 0 ? thread.values[i] : Math.min(values[i], thread.values[i]);
        }
    }

    /** Writes the 560-byte struct at {@code offset} of {@code buf} (zeroes included). */
    public void writeTo(byte[] buf, int offset) {
        java.util.Arrays.fill(buf, offset, offset + TaskstatsProtocol.STRUCT_SIZE, (byte) 0);
        writeToZeroed(buf, offset);
    }

    /**
     * {@link #writeTo} into bytes known to be zero (a fresh array): the hot path of every exit. Every numeric
     * field is stored unconditionally through the precomputed layout, without the per-field dispatch.
     */
    void writeToZeroed(byte[] buf, int offset) {
        java.util.Objects.checkFromIndexSize(offset, TaskstatsProtocol.STRUCT_SIZE, buf.length);
        long[] v = values;
        MemorySegment dst = MemorySegment.ofArray(buf);
        for (int r = 0; r < LONG_RUNS.length; r += 3) {
            MemorySegment.copy(v, LONG_RUNS[r], dst, LE_LONG, offset + LONG_RUNS[r + 1], LONG_RUNS[r + 2]);
        }
        for (int i = 0; i < INT_FIELDS.length; i++) INT.set(buf, offset + INT_OFFSETS[i], (int) v[INT_FIELDS[i]]);
        for (int i = 0; i < SHORT_FIELDS.length; i++) SHORT.set(buf, offset + SHORT_OFFSETS[i], (short) v[SHORT_FIELDS[i]]);
        for (int i = 0; i < BYTE_FIELDS.length; i++) buf[offset + BYTE_OFFSETS[i]] = (byte) v[BYTE_FIELDS[i]];
        System.arraycopy(commBytes, 0, buf, offset + TaskstatsField.AC_COMM.offset(), commBytes.length);
    }

    /**
     * The values of a struct laid out by {@link #writeTo} (integers unsigned, {@code ac_comm} up to its NUL):
     * writing the result again gives the same bytes.
     */
    static StatsVector readFrom(byte[] buf, int offset) {
        java.util.Objects.checkFromIndexSize(offset, TaskstatsProtocol.STRUCT_SIZE, buf.length);
        StatsVector s = new StatsVector();
        long[] v = s.values;
        for (int i = 0; i < LONG_FIELDS.length; i++) v[LONG_FIELDS[i]] = (long) LONG.get(buf, offset + LONG_OFFSETS[i]);
        for (int i = 0; i < INT_FIELDS.length; i++) v[INT_FIELDS[i]] = Integer.toUnsignedLong((int) INT.get(buf, offset + INT_OFFSETS[i]));
        for (int i = 0; i < SHORT_FIELDS.length; i++) v[SHORT_FIELDS[i]] = Short.toUnsignedLong((short) SHORT.get(buf, offset + SHORT_OFFSETS[i]));
        for (int i = 0; i < BYTE_FIELDS.length; i++) v[BYTE_FIELDS[i]] = Byte.toUnsignedLong(buf[offset + BYTE_OFFSETS[i]]);
        int commAt = offset + TaskstatsField.AC_COMM.offset();
        int len = 15;
        while (len > 0 && buf[commAt + len - 1] == 0) len--;
        s.commBytes = java.util.Arrays.copyOfRange(buf, commAt, commAt + len);
        s.comm = new String(s.commBytes, StandardCharsets.UTF_8);
        return s;
    }

    /** The bytes {@link #comm(String)} stores for {@code c}: UTF-8, at most 15 (TASK_COMM_LEN 16 with its NUL). */
    private static byte[] commBytes(String c) {
        byte[] b = (c == null ? "" : c).getBytes(StandardCharsets.UTF_8);
        return b.length > 15 ? java.util.Arrays.copyOf(b, 15) : b;
    }

    private static int[] fieldsOfSize(int size) {
        return java.util.Arrays.stream(FIELDS).filter(f -> f.isNumeric() && f.size() == size).mapToInt(Enum::ordinal).toArray();
    }

    private static int[] runsOf(int[] fields) {
        java.util.List<Integer> runs = new java.util.ArrayList<>();
        for (int i = 0; i < fields.length; ) {
            int j = i + 1;
            while (j < fields.length && fields[j] == fields[j - 1] + 1 && FIELDS[fields[j]].offset() == FIELDS[fields[j - 1]].offset() + 8) j++;
            runs.add(fields[i]);
            runs.add(FIELDS[fields[i]].offset());
            runs.add(j - i);
            i = j;
        }
        return runs.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] offsetsOf(int[] fields) {
        return java.util.Arrays.stream(fields).map(i -> FIELDS[i].offset()).toArray();
    }
}
