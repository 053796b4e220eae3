package io.tsfleet.benchmarks.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The circumstances of a run, printed at its start and end: the machine (CPU model, cores, memory, kernel, JVM), the
 * date, and the 1-minute load average sampled every two seconds during the run (min, mean, max) — on a machine that
 * others share, numbers mean little without it.
 */
public final class RunContext implements AutoCloseable {
    private final Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("loadavg").factory());
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double sum;
    private int n;

    public RunContext() {
        sampler.scheduleAtFixedRate(this::sample, 0, 2, TimeUnit.SECONDS);
    }

    private synchronized void sample() {
        double l = CpuMeter.loadAverage1();
        if (Double.isNaN(l)) return;
        min = Math.min(min, l);
        max = Math.max(max, l);
        sum += l;
        n++;
    }

    public static String machine() {
        String model = firstMatch(Path.of("/proc/cpuinfo"), "model name");
        String mem = firstMatch(Path.of("/proc/meminfo"), "MemTotal");
        String kernel = System.getProperty("os.name") + " " + System.getProperty("os.version");
        return String.format(Locale.ROOT, "%s, %d cores, %s RAM, %s, Java %s (%s)", model, Runtime.getRuntime().availableProcessors(),
                mem, kernel, System.getProperty("java.version"), System.getProperty("java.vm.name"));
    }

    private static String firstMatch(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException e) {
            // not Linux: leave it unknown
        }
        return "unknown " + key;
    }

    public String header() {
        return "# machine: " + machine() + "\n# started: " + started;
    }

    /** min/mean/max of the load average so far. */
    public synchronized String loadSummary() {
        if (n == 0) return "n/a";
        return String.format(Locale.ROOT, "%.1f/%.1f/%.1f", min, sum / n, max);
    }

    public String footer() {
        return "# finished: " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "; 1-min load average during the run (min/mean/max): " + loadSummary();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
