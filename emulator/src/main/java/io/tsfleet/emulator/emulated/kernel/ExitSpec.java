package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.taskstats.TaskstatsField;

import java.util.Map;

/**
 * What should exit, as the control API or a test asks for it. Unset (null) fields take generated values.
 *
 * @param cpu        the CPU the threads die on (must be possible)
 * @param tgid       a live group to end (all its threads, or only {@code pid}); otherwise the id of a new
 *                   group that is created and ends at once (null: allocated)
 * @param pid        with a live {@code tgid}: the one thread of it that exits
 * @param threads    threads of a new group (default 1); they exit one after the other, the leader last,
 *                   and only the last one's event carries the AGGR_TGID record
 * @param exitCode   {@code _exit()} status 0..255 ({@code ac_exitcode = code << 8})
 * @param signal     killed by this signal 1..64 instead ({@code ac_exitcode = signal}, {@code AXSIG})
 * @param coreDumped with a signal: a core was dumped ({@code ACORE}, {@code ac_exitcode |= 0x80})
 * @param comm       command name of a new group
 * @param uid        user of a new group (also its gid)
 * @param lifetimeUs how long the new group lived
 * @param forkNoExec whether the new group's leader was forked without exec ({@code AFORK}); null: by profile
 * @param fields     values that replace the generated ones in every exiting thread's PID record
 */
public record ExitSpec(int cpu, Integer tgid, Integer pid, Integer threads, Integer exitCode, Integer signal, boolean coreDumped,
                       String comm, Integer uid, Long lifetimeUs, Boolean forkNoExec, Map<TaskstatsField, Long> fields) {

    public ExitSpec {
        fields = fields == null ? Map.of() : Map.copyOf(fields);
        if (threads != null && (threads < 1 || threads > 4096)) throw new IllegalArgumentException("threads must be within 1..4096: " + threads);
        if (exitCode != null && (exitCode < 0 || exitCode > 255)) throw new IllegalArgumentException("exit code must be within 0..255: " + exitCode);
        if (signal != null && (signal < 1 || signal > 64)) throw new IllegalArgumentException("signal must be within 1..64: " + signal);
        if (exitCode != null && signal != null) throw new IllegalArgumentException("give an exit code or a signal, not both");
        if (coreDumped && signal == null) throw new IllegalArgumentException("a core dump needs a signal");
        if (tgid != null && (tgid < 1 || tgid >= TaskTable.PID_MAX)) throw new IllegalArgumentException("tgid out of range: " + tgid);
        if (pid != null && (pid < 1 || pid >= TaskTable.PID_MAX)) throw new IllegalArgumentException("pid out of range: " + pid);
        if (pid != null && tgid == null) throw new IllegalArgumentException("pid names a thread of a live group: give its tgid too");
        if (lifetimeUs != null && lifetimeUs < 0) throw new IllegalArgumentException("negative lifetime");
        if (comm != null && comm.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 15) {
            throw new IllegalArgumentException("comm is longer than 15 bytes (TASK_COMM_LEN)");
        }
        if (uid != null && uid < 0) throw new IllegalArgumentException("negative uid");
        for (TaskstatsField f : fields.keySet()) {
            if (!f.isNumeric() || f == TaskstatsField.VERSION) throw new IllegalArgumentException("field " + f.cName() + " cannot be set");
        }
    }

    /** A single-threaded task with generated values. */
    public static ExitSpec simple(int cpu) {
        return new ExitSpec(cpu, null, null, null, null, null, false, null, null, null, null, null);
    }

    /** A new group of {@code threads} threads that exits at once. */
    public static ExitSpec group(int cpu, int threads) {
        return new ExitSpec(cpu, null, null, threads, null, null, false, null, null, null, null, null);
    }
}
