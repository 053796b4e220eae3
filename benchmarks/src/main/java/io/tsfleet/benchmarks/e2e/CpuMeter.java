package io.tsfleet.benchmarks.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * CPU time from procfs: per process ({@code /proc/<pid>/stat} utime + stime, threads included) and for the whole
 * machine ({@code /proc/stat}: busy = all but idle and iowait). Differences of two readings over a window give the
 * cores each part of the fleet used, which shows where the time goes and when the machine is saturated.
 */
public final class CpuMeter {
    /** USER_HZ: procfs reports CPU time in these ticks (100 on every mainstream Linux configuration). */
    private static final double TICKS_PER_SECOND = 100.0;

    private CpuMeter() {
    }

    /** Cumulative CPU seconds of the process; 0 when it is gone or procfs is unavailable. */
    public static double processSeconds(long pid) {
        try {
            String stat = String.join(" ", Files.readAllLines(Path.of("/proc", Long.toString(pid), "stat")));
            // the command name (field 2) may contain spaces and parentheses: fields count from the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Cumulative CPU seconds of the threads of process {@code pid} whose name matches {@code name} (the kernel truncates
     * thread names to 15 characters: the JIT's are {@code C2 CompilerThre}); 0 when procfs is unavailable.
     */
    public static double threadSeconds(long pid, java.util.regex.Pattern name) {
        double total = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    if (!name.matcher(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))).matches()) continue;
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
                    total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return total;
    }

    public static double processSeconds(List<Long> pids) {
        double s = 0;
        for (long p : pids) s += processSeconds(p);
        return s;
    }

    /** Cores used over a window: by a first and a second group of processes, and by the whole machine. */
    public record Cores(double first, double second, double machine) {
    }

    /** Readings taken at the start of a window; {@link #cores()} gives what was used since. */
    public static final class Window {
        private final List<Long> first;
        private final List<Long> second;
        private final long startNanos = System.nanoTime();
        private final double first0;
        private final double second0;
        private final double machine0;

        private Window(List<Long> first, List<Long> second) {
            this.first = List.copyOf(first);
            this.second = List.copyOf(second);
            this.first0 = processSeconds(this.first);
            this.second0 = processSeconds(this.second);
            this.machine0 = machineBusySeconds();
        }

        /** Cores used since the start (CPU seconds over the window's own seconds). */
        public Cores cores() {
            double s = (System.nanoTime() - startNanos) / 1e9;
            return new Cores((processSeconds(first) - first0) / s, (processSeconds(second) - second0) / s, (machineBusySeconds() - machine0) / s);
        }
    }

    /** Starts a window over two groups of processes (either may be empty). */
    public static Window window(List<Long> first, List<Long> second) {
        return new Window(first, second);
    }

    /** Cumulative busy CPU seconds of the whole machine, all cores; NaN when procfs is unavailable. */
    public static double machineBusySeconds() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            long[] v = Arrays.stream(first.substring(3).trim().split("\\s+")).limit(8).mapToLong(Long::parseLong).toArray();
            long total = 0;
            for (long x : v) total += x;
            return (total - v[3] - v[4]) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The 1-minute load average, NaN when unavailable. */
    public static double loadAverage1() {
        try {
            return Double.parseDouble(Files.readAllLines(Path.of("/proc/loadavg")).getFirst().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
