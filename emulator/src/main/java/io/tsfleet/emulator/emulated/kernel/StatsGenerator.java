package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.util.SplittableRandom;

import static io.tsfleet.protocol.taskstats.TaskstatsField.*;

/**
 * Realistic {@code struct taskstats} values for an emulated thread, from its profile, its lifetime and a
 * per-thread seed: the same seed and lifetime always give the same values, and the values grow with the
 * lifetime (a live task queried twice shows larger counters the second time). Relations the kernel keeps
 * hold here too: counts and totals are zero together, {@code min <= max <= total}, the CPU run totals are
 * user plus system time, I/O to storage is in whole pages and never exceeds the bytes read or written.
 */
public final class StatsGenerator {
    /** {@code new_encode_dev(259, 2)}: an NVMe partition, the device of the executables. */
    private static final long EXE_DEV = (259L << 20) | 2;

    private StatsGenerator() {
    }

    /**
     * The statistics of a thread that has lived {@code etimeUs} microseconds.
     *
     * @param seed     the thread's seed (fixes its jitter)
     * @param profile  what the thread runs
     * @param identity pid, tgid, ppid and start time of the thread
     * @param etimeUs  elapsed time so far (or at exit)
     */
    public static StatsVector generate(long seed, TaskProfile profile, Identity identity, long etimeUs) {
        StatsVector s = new StatsVector().comm(profile.comm());
        fill(s, seed, profile, identity.pid(), identity.tgid(), identity.ppid(), identity.leader(), identity.btimeSeconds(),
                identity.groupEtimeUs(), etimeUs);
        return s;
    }

    /** {@link #generate} into {@code s}, which must be fresh; the command name is left to the caller. */
    private static void fill(StatsVector s, long seed, TaskProfile profile, int pid, int tgid, int ppid, boolean leader, long btimeSeconds,
                     long groupEtimeUs, long etimeUs) {
        SplittableRandom r = new SplittableRandom(seed);
        double secs = etimeUs / 1e6;
        double jitter = 0.5 + r.nextDouble();

        long cpuUs = (long) (etimeUs * Math.min(1.0, profile.cpuShare() * jitter));
        long stimeUs = (long) (cpuUs * profile.systemShare());
        long utimeUs = cpuUs - stimeUs;
        long nvcsw = (long) (secs * profile.switchesPerSecond() * (0.5 + r.nextDouble())) + r.nextInt(3);
        long nivcsw = (long) (nvcsw * 0.1 * r.nextDouble()) + (cpuUs > 4_000 ? cpuUs / 4_000 : r.nextInt(2));
        long cpuCount = nvcsw + nivcsw + 1;
        long meanWaitNs = 2_000 + r.nextInt(60_000);
        long cpuDelay = cpuCount * meanWaitNs;
        s.set(AC_ETIME, etimeUs).set(AC_UTIME, utimeUs).set(AC_STIME, stimeUs)
                .set(AC_UTIMESCALED, utimeUs).set(AC_STIMESCALED, stimeUs)
                .set(NVCSW, nvcsw).set(NIVCSW, nivcsw)
                .set(CPU_COUNT, cpuCount)
                .set(CPU_RUN_REAL_TOTAL, cpuUs * 1000).set(CPU_SCALED_RUN_REAL_TOTAL, cpuUs * 1000)
                .set(CPU_RUN_VIRTUAL_TOTAL, cpuUs * 1000 + r.nextInt(50_000));
        delays(s, r, CPU_DELAY_TOTAL, CPU_DELAY_MAX, CPU_DELAY_MIN, cpuCount, cpuDelay);

        long rss = (long) (profile.rssKib() * Math.min(1.0, 0.3 + secs) * jitter);
        long vm = Math.max(rss, (long) (profile.vmKib() * (0.8 + 0.4 * r.nextDouble())));
        s.set(HIWATER_RSS, rss).set(HIWATER_VM, vm)
                .set(COREMEM, rss / 1024 * cpuUs).set(VIRTMEM, vm / 1024 * cpuUs)
                .set(AC_MINFLT, rss / 4 + r.nextInt(64))
                .set(AC_MAJFLT, r.nextInt(10) == 0 ? 1 + r.nextInt(20) : 0);

        long readChar = (long) (secs * profile.readPerSecond() * jitter) + 832 + r.nextInt(4096);
        long writeChar = (long) (secs * profile.writePerSecond() * jitter) + r.nextInt(256);
        long readBytes = pages(readChar * profile.storageShare() * r.nextDouble());
        long writeBytes = pages(writeChar * profile.storageShare());
        s.set(READ_CHAR, readChar).set(WRITE_CHAR, writeChar)
                .set(READ_SYSCALLS, readChar / (4096 + r.nextInt(60_000)) + 3)
                .set(WRITE_SYSCALLS, writeChar / (512 + r.nextInt(8_000)) + (writeChar > 0 ? 1 : 0))
                .set(READ_BYTES, readBytes).set(WRITE_BYTES, writeBytes)
                .set(CANCELLED_WRITE_BYTES, writeBytes > 0 && r.nextInt(20) == 0 ? pages(writeBytes * 0.1) : 0);
        long blkioCount = readBytes / 131_072 + (readBytes > 0 ? 1 : 0);
        delays(s, r, BLKIO_DELAY_TOTAL, BLKIO_DELAY_MAX, BLKIO_DELAY_MIN, blkioCount, blkioCount * (80_000 + r.nextInt(2_000_000)));
        long swapins = r.nextInt(200) == 0 ? 1 + r.nextInt(8) : 0;
        delays(s, r, SWAPIN_DELAY_TOTAL, SWAPIN_DELAY_MAX, SWAPIN_DELAY_MIN, swapins, swapins * (500_000 + r.nextInt(5_000_000)));
        long wpcopy = profile.forkNoExec() ? 10 + r.nextInt(200) : r.nextInt(20);
        delays(s, r, WPCOPY_DELAY_TOTAL, WPCOPY_DELAY_MAX, WPCOPY_DELAY_MIN, wpcopy, wpcopy * (800 + r.nextInt(4_000)));
        long irqs = cpuUs / 10_000;
        delays(s, r, IRQ_DELAY_TOTAL, IRQ_DELAY_MAX, IRQ_DELAY_MIN, irqs, irqs * (300 + r.nextInt(3_000)));
        s.set(BLKIO_COUNT, blkioCount).set(SWAPIN_COUNT, swapins).set(WPCOPY_COUNT, wpcopy).set(IRQ_COUNT, irqs);

        s.set(AC_UID, profile.uid()).set(AC_GID, profile.uid())
                .set(AC_PID, pid).set(AC_TGID, tgid).set(AC_PPID, ppid)
                .set(AC_BTIME, btimeSeconds & 0xFFFF_FFFFL).set(AC_BTIME64, btimeSeconds)
                .set(AC_TGETIME, groupEtimeUs)
                .set(AC_EXE_DEV, EXE_DEV).set(AC_EXE_INODE, 1_000_000 + (Math.abs(profile.comm().hashCode()) % 9_000_000))
                .set(VERSION, TaskstatsProtocol.STRUCT_VERSION);
        int flags = 0;
        if (leader && profile.forkNoExec()) flags |= TaskstatsProtocol.AFORK;
        if (profile.uid() == 0 && r.nextInt(4) == 0) flags |= TaskstatsProtocol.ASU;
        s.set(AC_FLAG, flags);
    }

    private static void delays(StatsVector s, SplittableRandom r, TaskstatsField total, TaskstatsField max, TaskstatsField min,
                               long count, long totalNs) {
        if (count <= 0 || totalNs <= 0) return;
        long mean = totalNs / count;
        long lo = count == 1 ? totalNs : Math.max(1, (long) (mean * (0.05 + 0.5 * r.nextDouble())));
        long hi = count == 1 ? totalNs : Math.min(totalNs, Math.max(lo, (long) (mean * (1.5 + 4 * r.nextDouble()))));
        s.set(total, totalNs).set(max, hi).set(min, lo);
    }

    private static long pages(double bytes) {
        return ((long) bytes) & ~4095L;
    }

    /**
     * Who the thread is.
     *
     * @param pid           thread id ({@code ac_pid})
     * @param tgid          thread group id
     * @param ppid          parent's tgid
     * @param leader        whether it is the group leader
     * @param btimeSeconds  its start, seconds since the epoch
     * @param groupEtimeUs  elapsed time of its thread group ({@code ac_tgetime})
     */
    public record Identity(int pid, int tgid, int ppid, boolean leader, long btimeSeconds, long groupEtimeUs) {
    }
}
