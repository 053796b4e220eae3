package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.FreePorts;
import io.tsfleet.testing.ServiceProcess;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a sink costs a replica: one replica (static mask over all N CPUs) fed by the emulator at full speed, once per
 * sink spec, and the records it keeps per second of its own CPU time ({@code records / replica CPU seconds}, from
 * procfs): records per replica core-second. Measured by CPU time, not by rate, so that the emulator's share of the
 * machine and other load on it matter less; each spec's figure is also given as a ratio to {@code none} measured in
 * the same run (the replica's work without a sink: receiving, decoding, accounting, metrics).
 *
 * <p>Each spec starts a fresh replica ({@code --tsfleet.listener.sink=<spec>}, {@code +} joining several sinks of one
 * replica: {@code jsonl:/tmp/r.jsonl+stdout}), warms it up, then offers {@code --rate} for {@code --settle} and measures
 * a {@code --window}; repetitions go through the specs in alternating order. A replica whose spec has {@code stdout}
 * writes its standard output into a pipe that {@code cat} empties to {@code /dev/null} (as a container runtime's log
 * pipe); its logs (on standard error then) go to its log file. Options every sink gets: {@code --sink-options
 * "key=value;scheme.key=value"} (as {@code tsfleet.listener.sink-options.*}); anything else for the replicas:
 * {@code --replica-args "--a=b --c=d"}. A sink whose destination runs elsewhere (a Kafka broker, an OTLP receiver) takes
 * it as an option; start it on the same machine before the run.
 *
 * <p>Result lines: {@code sinks.<label>.per_core} (records per replica core-second, baseline = that of {@code none},
 * ratio), with the records/s kept, the replica's and the emulator's cores, and the loss in the window as context.
 */
public final class SinkBenchmark {
    private final EmulatorService.Settings settings;
    private final int cpus;
    private final List<String> specs;
    private final double rate;
    private final Duration warmup;
    private final double warmupRate;
    private final Duration settle;
    private final Duration window;
    private final int repeat;
    private final List<String> sinkOptions;
    private final List<String> replicaArgs;
    private final PrintStream out;

    private SinkBenchmark(Options o, PrintStream out) {
        this.settings = CommonOptions.read(o);
        this.cpus = o.integer("cpus", 64, 1, 8192, "emulated machine size N (the replica holds all its CPUs)");
        String defaultJsonl = settings.runDir().resolve("records.jsonl").toString();
        this.specs = Arrays.stream(o.string("sinks", "none,jsonl:" + defaultJsonl + ",stdout",
                        "sink specs to measure, comma-separated ('+' joins several sinks of one replica); none is measured too if missing").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.rate = o.number("rate", 3_000_000, 1, 1e9, "offered exits/s (whole machine) while measuring: more than a replica keeps");
        this.warmup = o.duration("warmup", "20s", "unmeasured load after each replica is ready (JIT warm-up)");
        this.warmupRate = o.number("warmup-rate", 200_000, 1, 1e8, "offered rate during the warm-up");
        this.settle = o.duration("settle", "3s", "time at --rate before the window starts");
        this.window = o.duration("window", "10s", "measurement window");
        this.repeat = o.integer("repeat", 2, 1, 20, "measurements per spec (the result is their median, with the range)");
        this.sinkOptions = Arrays.stream(o.string("sink-options", "", "sink options 'key=value;scheme.key=value' (tsfleet.listener.sink-options.*)")
                .split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String opt : sinkOptions) {
            if (!opt.contains("=")) throw new IllegalArgumentException("--sink-options wants key=value pairs: " + opt);
        }
        this.replicaArgs = Arrays.stream(o.string("replica-args", "", "more arguments for every replica, space-separated").split("\\s+"))
                .filter(s -> !s.isEmpty()).toList();
        this.out = out;
    }

    public static SinkBenchmark fromOptions(Options o, PrintStream out) {
        return new SinkBenchmark(o, out);
    }

    public void run() throws IOException, InterruptedException {
        List<String> all = new ArrayList<>();
        if (!specs.contains("none")) all.add("none");
        all.addAll(specs);
        Map<String, List<Measurement>> results = new LinkedHashMap<>();
        for (String spec : all) results.put(spec, new ArrayList<>());
        out.printf(Locale.ROOT, "# starting the emulator with %d possible CPUs%n", cpus);
        try (EmulatorService emulator = EmulatorService.startEmulated(settings, cpus, List.of())) {
            for (int rep = 0; rep < repeat; rep++) {
                List<String> order = new ArrayList<>(all);
                if (rep % 2 == 1) order = order.reversed();
                for (String spec : order) {
                    Measurement m = measure(emulator, spec, rep);
                    out.printf(Locale.ROOT, "#   %s run %d: %s%n", spec, rep + 1, m.describe());
                    results.get(spec).add(m);
                }
            }
        }
        Spread none = new Spread(results.get("none").stream().map(Measurement::perCore).toList());
        for (Map.Entry<String, List<Measurement>> e : results.entrySet()) {
            List<Measurement> ms = e.getValue();
            Spread perCore = new Spread(ms.stream().map(Measurement::perCore).toList());
            Spread kept = new Spread(ms.stream().map(Measurement::recordsPerSecond).toList());
            SummaryLine line = new SummaryLine("sinks." + label(e.getKey()) + ".per_core", perCore.median(), "records/core-s", none.median())
                    .with("range", perCore.range()).with("runs", ms.size()).with("records_per_s", String.format(Locale.ROOT, "%.0f", kept.median()))
                    .with("records_per_s_range", kept.range())
                    .with("cores_replica", fmt(median(ms.stream().map(Measurement::replicaCores).toList())))
                    .with("replica_kernel_share", fmt(median(ms.stream().map(Measurement::systemShare).toList())))
                    .with("cores_emulator", fmt(median(ms.stream().map(Measurement::emulatorCores).toList())))
                    .with("lost_in_window", String.format(Locale.ROOT, "%.0f", ms.stream().mapToDouble(Measurement::lost).sum()))
                    .with("spec", e.getKey().replace(' ', '_'));
            out.println(line.format());
        }
    }

    /** One replica with this sink: start, warm up, offer the rate, measure the window, stop. */
    private Measurement measure(EmulatorService emulator, String spec, int rep) throws IOException, InterruptedException {
        String id = "sink-" + label(spec) + "-r" + (rep + 1);
        String sinks = spec.replace('+', ',');
        List<String> args = new ArrayList<>(List.of("--tsfleet.listener.static-mask=" + (cpus == 1 ? "0" : "0-" + (cpus - 1)),
                "--tsfleet.listener.sink=" + sinks));
        for (String opt : sinkOptions) args.add("--tsfleet.listener.sink-options." + opt);
        args.addAll(replicaArgs);
        Replica replica = Replica.start(settings, id, emulator.broker(), args, hasStdout(sinks));
        try {
            replica.process.awaitHealthy(settings.http(), replica.base.resolve("/actuator/health/readiness"), settings.startTimeout());
            FleetGauge gauge = new FleetGauge(settings.http(), emulator.prometheus(), List.of(replica.base.resolve("/actuator/prometheus")));
            FleetRateProbe probe = new FleetRateProbe(settings.http(), emulator.base(), cpus, gauge, settle, window, Duration.ofSeconds(60));
            probe.warmUp(warmupRate, warmup);
            probe.setRate(rate);
            Thread.sleep(settle.toMillis());
            FleetCounters before = gauge.sample();
            double replicaCpu0 = CpuMeter.processSeconds(replica.process.pid());
            double replicaSys0 = systemSeconds(replica.process.pid());
            double emulatorCpu0 = CpuMeter.processSeconds(emulator.pid());
            Thread.sleep(window.toMillis());
            FleetCounters d = gauge.sample().minus(before);
            double replicaCpu = CpuMeter.processSeconds(replica.process.pid()) - replicaCpu0;
            double replicaSys = systemSeconds(replica.process.pid()) - replicaSys0;
            double emulatorCpu = CpuMeter.processSeconds(emulator.pid()) - emulatorCpu0;
            probe.setRate(0);
            probe.awaitQuiet();
            return new Measurement(d.records(), d.seconds(), replicaCpu, replicaSys, emulatorCpu, d.lost() + d.brokerDropped());
        } finally {
            replica.process.close();
        }
    }

    static boolean hasStdout(String sinks) {
        return Arrays.stream(sinks.split(",")).map(s -> s.split(":", 2)[0].trim().toLowerCase(Locale.ROOT)).anyMatch("stdout"::equals);
    }

    /** A name for result lines: the schemes of the spec ({@code jsonl}, {@code jsonl+stdout}). */
    static String label(String spec) {
        return String.join("+", Arrays.stream(spec.split("\\+")).map(s -> s.split(":", 2)[0].trim().toLowerCase(Locale.ROOT)).toList());
    }

    private static double median(List<Double> values) {
        return new Spread(values).median();
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }

    /** The CPU seconds the process spent in the kernel (stime of /proc/<pid>/stat); 0 when it is gone. */
    static double systemSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(f[12]) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    record Measurement(double records, double seconds, double replicaCpuSeconds, double replicaSystemSeconds, double emulatorCpuSeconds, double lost) {
        double systemShare() {
            return replicaCpuSeconds <= 0 ? 0 : replicaSystemSeconds / replicaCpuSeconds;
        }

        double perCore() {
            return replicaCpuSeconds <= 0 ? 0 : records / replicaCpuSeconds;
        }

        double recordsPerSecond() {
            return records / seconds;
        }

        double replicaCores() {
            return replicaCpuSeconds / seconds;
        }

        double emulatorCores() {
            return emulatorCpuSeconds / seconds;
        }

        String describe() {
            return String.format(Locale.ROOT, "%,.0f records/s kept, replica %.2f cores (%.0f %% in the kernel), emulator %.2f cores: %,.0f records per replica core-second; "
                    + "lost or dropped %,.0f", recordsPerSecond(), replicaCores(), 100 * systemShare(), emulatorCores(), perCore(), lost);
        }
    }

    /** One copy of the replica's jar per run: every spec runs the same jar, even when it is rebuilt meanwhile. */
    private static synchronized Path snapshot(EmulatorService.Settings s) throws IOException {
        Path copy = s.runDir().resolve("listener-service-sinks.jar");
        if (!Files.exists(copy)) {
            Files.createDirectories(s.runDir());
            Files.copy(s.listenerJar(), copy);
        }
        return copy;
    }

    /** A listener-service replica on a free port; with the stdout sink its standard output is a pipe emptied by cat. */
    private record Replica(ServiceProcess process, URI base) {
        static Replica start(EmulatorService.Settings s, String id, String broker, List<String> appArgs, boolean stdoutToPipe) throws IOException {
            int httpPort = FreePorts.free();
            List<String> args = new ArrayList<>(List.of("--server.port=" + httpPort, "--tsfleet.listener.id=" + id, "--tsfleet.listener.broker=" + broker));
            args.addAll(appArgs);
            List<String> jvm = new ArrayList<>(s.listenerJvmArgs());
            jvm.addAll(s.profiling().jvmArgs(s.runDir(), id));
            List<String> cmd = new ArrayList<>();
            // with stdout: bash execs the JVM in place (same pid, so procfs measures the replica), its stdout a pipe into cat
            if (stdoutToPipe) cmd.addAll(List.of("bash", "-c", "exec \"$@\" > >(exec cat > /dev/null)", "replica"));
            cmd.add(ServiceProcess.javaBinary());
            cmd.addAll(jvm);
            cmd.add("-jar");
            cmd.add(snapshot(s).toString());
            cmd.addAll(args);
            ServiceProcess p = ServiceProcess.start(id, cmd, s.runDir(), Duration.ofSeconds(20));
            return new Replica(p, URI.create("http://127.0.0.1:" + httpPort));
        }
    }
}
