package io.tsfleet.emulator.kernel;

import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

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

    private final long[] values = new long[FIELDS.length];
    private String comm = "";
    private byte[] commBytes = new byte[0];

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
        byte[] b = comm.getBytes(StandardCharsets.UTF_8);
        commBytes = b.length > 15 ? java.util.Arrays.copyOf(b, 15) : b; // TASK_COMM_LEN 16 with its NUL
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
        // callers write into fresh (zeroed) arrays; clear anyway for reuse
        java.util.Arrays.fill(buf, offset, offset + TaskstatsProtocol.STRUCT_SIZE, (byte) 0);
        for (int i = 0; i < FIELDS.length; i++) {
            TaskstatsField f = FIELDS[i];
            long v = values[i];
            if (v == 0) continue;
            int at = offset + f.offset();
            switch (f.size()) {
                case 1 -> buf[at] = (byte) v;
                case 2 -> SHORT.set(buf, at, (short) v);
                case 4 -> INT.set(buf, at, (int) v);
                case 8 -> LONG.set(buf, at, v);
                default -> { } // ac_comm, ac_pad
            }
        }
        System.arraycopy(commBytes, 0, buf, offset + TaskstatsField.AC_COMM.offset(), commBytes.length);
    }
}
