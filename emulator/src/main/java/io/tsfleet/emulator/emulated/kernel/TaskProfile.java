package io.tsfleet.emulator.emulated.kernel;

import java.util.List;

/**
 * What kind of program a task runs: the parameters the statistics generator scales with the task's
 * lifetime. Rates are per second of elapsed time; the generator adds per-task jitter.
 *
 * @param comm              the command name ({@code ac_comm}, at most 15 bytes)
 * @param uid               user id (0 = root)
 * @param forkNoExec        forked without exec ({@code AFORK} on the group leader)
 * @param cpuShare          fraction of elapsed time spent on a CPU
 * @param systemShare       fraction of CPU time spent in the kernel
 * @param switchesPerSecond voluntary context switches per second
 * @param rssKib            typical peak resident set in KiB
 * @param vmKib             typical peak virtual size in KiB
 * @param readPerSecond     bytes read through read-like syscalls per second
 * @param writePerSecond    bytes written per second
 * @param storageShare      fraction of the read/written bytes that reach storage
 * @param meanLifetimeUs    typical lifetime of a short-lived instance (log-normal median), microseconds
 */
public record TaskProfile(String comm, int uid, boolean forkNoExec, double cpuShare, double systemShare, double switchesPerSecond,
                          long rssKib, long vmKib, double readPerSecond, double writePerSecond, double storageShare,
                          long meanLifetimeUs) {

    /** A mix of what exits on a busy Linux server: shells and their commands, build tools, services' workers. */
    public static final List<TaskProfile> COMMON = List.of(
            new TaskProfile("bash", 1000, true, 0.02, 0.4, 40, 5_200, 9_800, 40_000, 4_000, 0.05, 20_000),
            new TaskProfile("sh", 0, true, 0.05, 0.5, 20, 1_600, 2_600, 10_000, 1_000, 0.02, 3_000),
            new TaskProfile("grep", 1000, false, 0.6, 0.3, 5, 2_400, 6_700, 4_000_000, 2_000, 0.3, 4_000),
            new TaskProfile("sed", 1000, false, 0.5, 0.3, 5, 2_100, 5_900, 2_000_000, 1_500_000, 0.2, 2_500),
            new TaskProfile("cc1", 1000, false, 0.95, 0.08, 2, 98_000, 140_000, 8_000_000, 3_000_000, 0.1, 900_000),
            new TaskProfile("ld", 1000, false, 0.8, 0.2, 10, 210_000, 350_000, 30_000_000, 20_000_000, 0.4, 400_000),
            new TaskProfile("make", 1000, false, 0.05, 0.6, 200, 4_100, 8_200, 300_000, 20_000, 0.01, 2_000_000),
            new TaskProfile("git", 1000, false, 0.4, 0.35, 30, 12_000, 240_000, 20_000_000, 500_000, 0.2, 60_000),
            new TaskProfile("python3", 1000, false, 0.7, 0.15, 50, 24_000, 32_000, 3_000_000, 200_000, 0.05, 250_000),
            new TaskProfile("curl", 33, false, 0.1, 0.5, 60, 9_800, 80_000, 50_000, 2_000_000, 0.0, 120_000),
            new TaskProfile("sshd", 0, true, 0.03, 0.7, 100, 8_900, 15_000, 20_000, 20_000, 0.0, 4_000_000),
            new TaskProfile("cron", 0, true, 0.01, 0.8, 2, 2_900, 8_100, 5_000, 200, 0.0, 50_000),
            new TaskProfile("postgres", 70, true, 0.3, 0.25, 500, 150_000, 220_000, 60_000_000, 15_000_000, 0.6, 1_500_000),
            new TaskProfile("nginx", 33, true, 0.2, 0.6, 900, 12_000, 56_000, 500_000, 40_000_000, 0.01, 8_000_000),
            new TaskProfile("java", 1000, false, 0.9, 0.1, 300, 520_000, 4_800_000, 10_000_000, 2_000_000, 0.1, 30_000_000),
            new TaskProfile("runc", 0, false, 0.3, 0.7, 80, 14_000, 1_200_000, 600_000, 30_000, 0.05, 80_000),
            new TaskProfile("systemd-udevd", 0, true, 0.1, 0.6, 20, 7_000, 30_000, 200_000, 10_000, 0.05, 30_000));

    /** Long-lived processes of the emulated machine's boot (they answer CMD_GET; pid 1 is the first). */
    public static final List<TaskProfile> DAEMONS = List.of(
            new TaskProfile("systemd", 0, false, 0.001, 0.7, 1, 13_000, 22_000, 1_000, 200, 0.1, 0),
            new TaskProfile("kthreadd", 0, false, 0.0001, 1.0, 1, 0, 0, 0, 0, 0.0, 0),
            new TaskProfile("systemd-journal", 0, false, 0.002, 0.5, 20, 60_000, 90_000, 2_000, 80_000, 0.5, 0),
            new TaskProfile("sshd", 0, false, 0.0001, 0.5, 0.1, 9_000, 15_000, 10, 10, 0.0, 0),
            new TaskProfile("containerd", 0, false, 0.004, 0.3, 40, 48_000, 2_300_000, 8_000, 4_000, 0.2, 0),
            new TaskProfile("taskstatsd", 0, false, 0.02, 0.6, 200, 30_000, 1_800_000, 5_000_000, 0, 0.0, 0));

    public TaskProfile {
        if (comm == null || comm.isEmpty()) throw new IllegalArgumentException("comm is empty");
    }

    public TaskProfile withForkNoExec(boolean forked) {
        return new TaskProfile(comm, uid, forked, cpuShare, systemShare, switchesPerSecond, rssKib, vmKib, readPerSecond,
                writePerSecond, storageShare, meanLifetimeUs);
    }

    /** The same profile with another command name (the control API may name the task). */
    public TaskProfile withComm(String newComm) {
        return new TaskProfile(newComm, uid, forkNoExec, cpuShare, systemShare, switchesPerSecond, rssKib, vmKib, readPerSecond,
                writePerSecond, storageShare, meanLifetimeUs);
    }
}
