package io.tsfleet.benchmarks.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * End-to-end throughput and scaling: for every emulated machine size N and replica count K, the emulator with N
 * possible CPUs and a uniform workload feeds K listener-service replicas (static contiguous masks, sink {@code none},
 * one broker connection per CPU) on loopback; the highest loss-free delivered rate is searched ({@link LossFreeSearch})
 * and printed next to two raw loopback baselines measured in the same run: the <em>baseline</em>, in the fleet's own
 * batching (N connections, the broker's sent bytes per socket write at the best trial, measured right after the
 * search), and the <em>bulk baseline</em> (256 KiB writes over two connections, measured before it: the most the
 * machine moves through sockets at all).
 *
 * <p>Result lines: {@code e2e.n<N>.k<K>.lossfree} (records/s, baseline = loopback events/s in the fleet's batching,
 * ratio; {@code bulk_baseline}, {@code bulk_ratio}) and
 * {@code e2e.n<N>.k<K>.speedup} (loss-free rate over that of the smallest K).
 */
public final class FleetBenchmark {
    private final EmulatorService.Settings settings;
    private final List<Integer> cpus;
    private final List<Integer> replicas;
    private final LossFreeSearch search;
    private final Duration settle;
    private final Duration window;
    private final Duration warmup;
    private final double warmupRate;
    private final int repeat;
    private final double sinkCap;
    private final String receiveBuffer;
    private final Duration brokerFlushDelay;
    private final BaselineMeter baseline;
    private final PrintStream out;

    private FleetBenchmark(Options o, PrintStream out) {
        this.settings = CommonOptions.read(o);
        this.cpus = o.integers("cpus", "64,4096", 1, 8192, "emulated machine sizes N (possible CPUs 0..N-1)");
        this.replicas = o.integers("replicas", "1,2,4", 1, 64, "replica counts K");
        double start = o.number("start-rate", 50_000, 1, 1e8, "first offered rate (exits/s, whole machine)");
        double max = o.number("max-rate", 4_000_000, 1, 1e9, "highest offered rate tried");
        double growth = o.number("growth", 1.5, 1.01, 10, "ramp factor between trials");
        int refine = o.integer("refine", 2, 0, 10, "bisection steps between the last good and the first bad rate");
        int lookPast = o.integer("look-past-backlog", 2, 0, 10, "trials the ramp goes on after one that fell behind without loss");
        this.search = new LossFreeSearch(start, max, Math.min(start, 1000), growth, refine, lookPast);
        this.settle = o.duration("settle", "2s", "time after a rate change before the window starts");
        this.window = o.duration("window", "4s", "measurement window per trial");
        this.warmup = o.duration("warmup", "15s", "unmeasured load after the replicas are ready (JIT warm-up)");
        this.warmupRate = o.number("warmup-rate", 100_000, 1, 1e8, "offered rate during the warm-up");
        this.repeat = o.integer("repeat", 1, 1, 20, "searches per configuration (the result is their median, with the range)");
        this.sinkCap = o.number("sink-cap", 0, 0, 1e9, "per-replica sink limit in records/s (sink-options.max-records-per-second); 0 = none");
        this.receiveBuffer = o.string("receive-buffer", "", "tsfleet.listener.receive-buffer of every replica (empty = its default)");
        this.brokerFlushDelay = o.duration("broker-flush-delay", "0s",
                "tsfleet.emulator.broker.flush-delay: how long a connection's output gathers before its write (0 = at once)");
        this.baseline = new BaselineMeter(o.integer("baseline-connections", 2, 1, 256, "connections of the bulk loopback baseline"),
                o.duration("baseline-duration", "1500ms", "length of one baseline measurement"),
                o.integer("baseline-runs", 3, 1, 20, "baseline measurements before each configuration"));
        this.out = out;
    }

    public static FleetBenchmark fromOptions(Options o, PrintStream out) {
        return new FleetBenchmark(o, out);
    }

    public void run() throws IOException, InterruptedException {
        for (int n : cpus) {
            Map<Integer, Double> lossFree = new LinkedHashMap<>();
            out.printf(Locale.ROOT, "# starting the emulator with %d possible CPUs%n", n);
            List<String> emulatorArgs = brokerFlushDelay.isZero() ? List.of()
                    : List.of("--tsfleet.emulator.broker.flush-delay=" + brokerFlushDelay.toMillis() + "ms");
            try (EmulatorService emulator = EmulatorService.startEmulated(settings, n, emulatorArgs)) {
                for (int k : replicas) {
                    if (k > n) {
                        out.printf(Locale.ROOT, "# skipping K=%d > N=%d%n", k, n);
                        continue;
                    }
                    lossFree.put(k, measure(emulator, n, k));
                }
            }
            Integer first = lossFree.keySet().stream().findFirst().orElse(null);
            for (Map.Entry<Integer, Double> e : lossFree.entrySet()) {
                if (first == null || e.getKey().equals(first) || lossFree.get(first) <= 0) continue;
                out.println(new SummaryLine(String.format(Locale.ROOT, "e2e.n%d.k%d.speedup", n, e.getKey()), e.getValue() / lossFree.get(first),
                        "x", Double.NaN).with("over", "k" + first).format());
            }
        }
    }

    private double measure(EmulatorService emulator, int n, int k) throws IOException, InterruptedException {
        String config = String.format(Locale.ROOT, "n%d.k%d", n, k);
        out.printf(Locale.ROOT, "# %s: starting %d replica(s) on masks %s%n", config, k, Masks.contiguous(n, k));
        List<ListenerReplica> fleet = new ArrayList<>();
        try {
            List<String> masks = Masks.contiguous(n, k);
            for (int i = 0; i < k; i++) fleet.add(ListenerReplica.startStatic(settings, config + "-r" + i, emulator.broker(), masks.get(i), replicaArgs()));
            for (ListenerReplica r : fleet) r.awaitReady(settings);
            FleetGauge gauge = new FleetGauge(settings.http(), emulator.prometheus(), fleet.stream().map(ListenerReplica::prometheus).toList());
            FleetRateProbe probe = new FleetRateProbe(settings.http(), emulator.base(), n, gauge, settle, window, Duration.ofSeconds(60))
                    .measuringCpuOf(List.of(emulator.pid()), fleet.stream().map(ListenerReplica::pid).toList());
            out.printf(Locale.ROOT, "# %s: ready; warming up at %,.0f/s for %s%n", config, warmupRate, warmup);
            probe.warmUp(warmupRate, warmup);
            RateTrial.CpuShare idle = probe.idleCores(Duration.ofSeconds(3));
            out.printf(Locale.ROOT, "# %s: idle (rate 0) %s%n", config, idle.describe());
            List<Double> best = new ArrayList<>();
            List<Double> bulk = new ArrayList<>();
            List<Double> matched = new ArrayList<>();
            List<String> batching = new ArrayList<>();
            LossFreeSearch.Result last = null;
            for (int rep = 0; rep < repeat; rep++) {
                Spread b = baseline.measure();
                bulk.addAll(b.values());
                out.printf(Locale.ROOT, "# %s: loopback baseline, bulk (%s): %s events/s (median %,.0f)%n", config, baseline.shape().describe(), b.range(), b.median());
                LossFreeSearch.Result r = search.run(probe, t -> out.println("#   " + config + " trial: " + t.describe()));
                best.add(r.lossFreePerSecond());
                last = r;
                out.printf(Locale.ROOT, "# %s: search %d: loss-free %,.0f records/s (limit %s)%n", config, rep + 1, r.lossFreePerSecond(), r.limit());
                if (r.best() != null && !Double.isNaN(r.best().bytesPerWrite())) {
                    LoopbackBaseline.Shape shape = LoopbackBaseline.Shape.measured(n, r.best().bytesPerWrite());
                    Spread m = baseline.shaped(shape).measure();
                    matched.addAll(m.values());
                    batching.add(String.format(Locale.ROOT, "%.2f", shape.eventsPerWrite()));
                    out.printf(Locale.ROOT, "# %s: loopback baseline, the broker's batching at the best trial (%s): %s events/s (median %,.0f)%n",
                            config, shape.describe(), m.range(), m.median());
                }
            }
            Spread s = new Spread(best);
            Spread b = new Spread(bulk);
            Spread sameBatching = matched.isEmpty() ? null : new Spread(matched);
            SummaryLine line = new SummaryLine("e2e." + config + ".lossfree", s.median(), "records/s", sameBatching == null ? Double.NaN : sameBatching.median())
                    .with("range", s.range()).with("runs", repeat).with("limit", last.limit());
            if (sameBatching != null) {
                line = line.with("baseline_range", sameBatching.range()).with("baseline_connections", n)
                        .with("baseline_events_per_write", String.join(",", batching));
            }
            line = line.with("bulk_baseline", String.format(Locale.ROOT, "%.1f", b.median())).with("bulk_ratio", String.format(Locale.ROOT, "%.3f", s.median() / b.median()))
                    .with("bulk_baseline_range", b.range()).with("bulk_baseline_connections", baseline.connections());
            if (last.best() != null && last.best().cpu() != null) {
                RateTrial.CpuShare c = last.best().cpu();
                line = line.with("cores_emulator", fmt(c.emulator())).with("cores_replicas", fmt(c.replicas())).with("cores_machine", fmt(c.machine()));
            }
            line = line.with("idle_cores_emulator", fmt(idle.emulator())).with("idle_cores_replicas", fmt(idle.replicas()));
            if (sinkCap > 0) line = line.with("sink_cap", String.format(Locale.ROOT, "%.0f", sinkCap));
            out.println(line.format());
            return s.median();
        } finally {
            for (ListenerReplica r : fleet) r.close();
        }
    }

    private List<String> replicaArgs() {
        List<String> a = new ArrayList<>();
        if (sinkCap > 0) a.add(String.format(Locale.ROOT, "--tsfleet.listener.sink-options.max-records-per-second=%.0f", sinkCap));
        if (!receiveBuffer.isBlank()) a.add("--tsfleet.listener.receive-buffer=" + receiveBuffer);
        return a;
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }
}
