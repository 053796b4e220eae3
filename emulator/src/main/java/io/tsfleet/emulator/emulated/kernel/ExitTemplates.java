package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The exit events of the workload's generated tasks, generated once and stamped per exit. A pool of {@link #SIZE}
 * single-threaded tasks (profile, lifetime and every statistic from the emulator's seed, by {@link StatsGenerator})
 * is encoded up front; a generated exit copies one of them, picked by its task seed, and writes in what is its own:
 * the pid (the nest's {@code TASKSTATS_TYPE_PID}, {@code ac_pid}, {@code ac_tgid}), its start time
 * ({@code ac_btime}, {@code ac_btime64}: now minus the template's lifetime) and its exit status ({@code ac_exitcode},
 * {@code AXSIG}; 94 % exit 0, 4 % exit 1, 2 % killed by SIGKILL or SIGTERM). Everything else, including the relations
 * the generator keeps, is the template's. The copy is the event every listener's queue shares and the zombie keeps.
 *
 * <p>Why: generating and encoding each record cost the workload thread about 230 ns, most of its time, and that
 * thread took a third of the machine at a million exits per second; a 596-byte copy and five stores cost a fraction
 * of that ({@code ExitPathCostProbe}: about 500 ns per exit before, 270 after). The records differ in pid, start time and exit status always, and in their statistics among
 * {@value #SIZE} value sets, which is variety enough for a load source; exits through the control API
 * ({@link ExitSpec}) are still generated one by one.
 */
final class ExitTemplates {
    /** Templates in the pool (a power of two): 610 KB of events, small enough to stay in the cache. */
    static final int SIZE = 1024;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = EventEncoder.INT;
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int FAMILY_OFFSET = 4;
    private static final int NEST_ID_OFFSET = 20 + 8;
    private static final int STRUCT_OFFSET = 20 + 16;

    private final byte[][] events = new byte[SIZE][];
    private final long[] lifetimeNanos = new long[SIZE];

    /** The pool of {@code seed}: each template's profile, lifetime and values come from a task seed, as for one exit. */
    ExitTemplates(long seed) {
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int i = 0; i < SIZE; i++) {
            long taskSeed = seeds.nextLong();
            TaskProfile profile = ExitPath.commonProfile(taskSeed);
            long lifetimeUs = ExitPath.lifetime(taskSeed, profile);
            // pid, tgid and start time 0: every exit writes in its own
            StatsVector record = StatsGenerator.generate(taskSeed, profile, new StatsGenerator.Identity(0, 0, 1, true, 0, lifetimeUs), lifetimeUs);
            record.set(TaskstatsField.AC_FLAG, record.get(TaskstatsField.AC_FLAG) | TaskstatsProtocol.AGROUP);
            events[i] = EventEncoder.exitEvent(0, 0, record, 0, null);
            lifetimeNanos[i] = lifetimeUs * 1000;
        }
    }

    /**
     * The exit event of a generated task with {@code pid} that exits at {@code nowNanos} (sequence 0, port id 0, as
     * {@link EventEncoder#exitEvent} builds it): a fresh array.
     */
    byte[] exitEvent(long taskSeed, int familyId, int pid, long nowNanos) {
        int index = (int) (taskSeed >>> 40) & (SIZE - 1);
        byte[] b = events[index].clone();
        SHORT.set(b, FAMILY_OFFSET, (short) familyId);
        INT.set(b, NEST_ID_OFFSET, pid);
        INT.set(b, STRUCT_OFFSET + TaskstatsField.AC_PID.offset(), pid);
        INT.set(b, STRUCT_OFFSET + TaskstatsField.AC_TGID.offset(), pid);
        long btimeSeconds = (nowNanos - lifetimeNanos[index]) / NANOS_PER_SECOND;
        INT.set(b, STRUCT_OFFSET + TaskstatsField.AC_BTIME.offset(), (int) btimeSeconds);
        LONG.set(b, STRUCT_OFFSET + TaskstatsField.AC_BTIME64.offset(), btimeSeconds);
        int roll = (int) ((taskSeed & 0xFFFF_FFFFL) % 100);
        int exitCode;
        if (roll < 94) {
            exitCode = 0;
        } else if (roll < 98) {
            exitCode = 1 << 8;
        } else {
            exitCode = roll == 98 ? 9 : 15;
            b[STRUCT_OFFSET + TaskstatsField.AC_FLAG.offset()] |= TaskstatsProtocol.AXSIG;
        }
        INT.set(b, STRUCT_OFFSET + TaskstatsField.AC_EXITCODE.offset(), exitCode);
        return b;
    }
}
