package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.Http;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The emulator's fan-out path end to end (issue #3): the real emulator jar with N possible CPUs and its synthetic
 * workload; L raw listeners ({@link RawListener}, in a child JVM, {@link FanoutListeners}) that each resolve
 * {@code TASKSTATS} through the controller, register a cpumask (all CPUs by default) and only count the frames they
 * receive. For each L, after a warm-up, a ramp of offered exit rates ({@link FanoutRamp}) finds where the delivered
 * events stop growing; each step measures one window: exits generated and events queued/dropped (the emulator's
 * Prometheus counters), events delivered (counted on the listeners' sockets), CPU (procfs). The raw loopback baseline
 * ({@link LoopbackBaseline}, with as many connections as listeners) is measured before every ramp, in the same run.
 * The listeners' JVM gets {@code --listener-heap}.
 *
 * <p>Result lines: {@code fanout.n<N>.l<L>}: the median over the repetitions of the highest delivered events/s, with
 * the generated exits/s and the events dropped in that step's window, the highest rate with nothing dropped
 * ({@code lossfree}), the cores used and the ratio to the baseline.
 */
public final class FanoutBenchmark {
    private static final String DROPPED = "tsfleet_broker_events_dropped_total";

    private final EmulatorService.Settings settings;
    private final int cpus;
    private final List<Integer> listenerCounts;
    private final String mask;
    private final int rcvbuf;
    private final int tcpReceiveBuffer;
    private final FanoutRamp ramp;
    private final Duration settle;
    private final Duration window;
    private final Duration warmup;
    private final double warmupRate;
    private final int repeat;
    private final List<String> emulatorArgs;
    private final int baselineConnections;
    private final Duration baselineDuration;
    private final int baselineRuns;
    private final PrintStream out;

    private FanoutBenchmark(Options o, PrintStream out) {
        this.settings = CommonOptions.read(o);
        this.cpus = o.integer("cpus", 64, 1, 8192, "emulated machine size N (possible CPUs 0..N-1)");
        this.listenerCounts = o.integers("listeners", "1,4,8", 1, 256, "listener counts L (each one connection, registered on --mask)");
        this.mask = o.string("mask", "all", "cpulist every listener registers (all = 0..N-1)");
        this.rcvbuf = o.integer("rcvbuf", 2 * 1024 * 1024, 0, Integer.MAX_VALUE,
                "SO_RCVBUFFORCE request of every listener in bytes, as the listener service's default (the broker doubles it); 0 = rmem_default");
        this.tcpReceiveBuffer = o.integer("tcp-receive-buffer", 128 * 1024, 0, 64 * 1024 * 1024,
                "TCP SO_RCVBUF of every listener connection (the listener service fixes 128 KiB); 0 = OS default (autotuning)");
        double start = o.number("start-rate", 50_000, 1, 1e8, "first offered rate (exits/s, whole machine)");
        double max = o.number("max-rate", 4_000_000, 1, 1e9, "highest offered rate tried (exits/s)");
        double growth = o.number("growth", 1.5, 1.01, 10, "ramp factor between steps");
        double minGain = o.number("min-gain", 0.05, 0, 1, "a step that delivers less than this much more than the best so far counts as no gain");
        int patience = o.integer("patience", 2, 1, 10, "steps in a row without that gain that end the ramp");
        this.ramp = new FanoutRamp(start, Math.max(start, max), growth, minGain, patience);
        this.settle = o.duration("settle", "2s", "time after a rate change before the window starts");
        this.window = o.duration("window", "4s", "measurement window per step");
        this.warmup = o.duration("warmup", "10s", "unmeasured load after the listeners are registered (JIT warm-up)");
        this.warmupRate = o.number("warmup-rate", 100_000, 0, 1e8, "offered rate during the warm-up (exits/s)");
        this.repeat = o.integer("repeat", 1, 1, 20, "ramps per listener count (the result is their median, with the range)");
        String extra = o.string("emulator-args", "", "more emulator arguments, space-separated (e.g. --tsfleet.emulator.broker.io-threads=1)");
        this.emulatorArgs = extra.isBlank() ? List.of() : Arrays.asList(extra.trim().split("\\s+"));
        this.baselineConnections = o.integer("baseline-connections", 0, 0, 256, "connections of the loopback baseline (0 = as many as listeners)");
        this.baselineDuration = o.duration("baseline-duration", "1500ms", "length of one baseline measurement");
        this.baselineRuns = o.integer("baseline-runs", 3, 1, 20, "baseline measurements before each ramp");
        this.out = out;
    }

    public static FanoutBenchmark fromOptions(Options o, PrintStream out) {
        return new FanoutBenchmark(o, out);
    }

    public void run() throws IOException, InterruptedException {
        String cpulist = mask.equals("all") ? (cpus == 1 ? "0" : "0-" + (cpus - 1)) : mask;
        out.printf(Locale.ROOT, "# starting the emulator with %d possible CPUs; listeners register on %s, SO_RCVBUFFORCE %d, TCP receive buffer %s%n",
                cpus, cpulist, rcvbuf, tcpReceiveBuffer == 0 ? "OS default" : Integer.toString(tcpReceiveBuffer));
        try (EmulatorService emulator = EmulatorService.startEmulated(settings, cpus, emulatorArgs)) {
            for (int l : listenerCounts) measure(emulator, cpulist, l);
        }
    }

    private void measure(EmulatorService emulator, String cpulist, int l) throws IOException, InterruptedException {
        String config = String.format(Locale.ROOT, "n%d.l%d", cpus, l);
        InetSocketAddress broker = new InetSocketAddress("127.0.0.1", Integer.parseInt(emulator.broker().substring(emulator.broker().lastIndexOf(':') + 1)));
        try (FanoutListeners.Child listeners = FanoutListeners.Child.start(broker, l, cpulist, rcvbuf, tcpReceiveBuffer, settings.listenerJvmArgs(),
                settings.runDir().resolve("fanout-listeners-" + config + ".log"), Duration.ofSeconds(60))) {
            out.printf(Locale.ROOT, "# %s: %d listener(s) registered (port ids %s, effective receive buffer %,d bytes); warming up at %,.0f exits/s for %s%n",
                    config, l, listeners.portIds(), listeners.receiveBuffer(), warmupRate, warmup);
            Probe probe = new Probe(settings.http(), emulator, listeners, cpus, settle, window);
            probe.setRate(warmupRate);
            Thread.sleep(warmup.toMillis());
            probe.setRate(0);
            probe.awaitQuiet(Duration.ofSeconds(60));
            BaselineMeter baseline = new BaselineMeter(baselineConnections == 0 ? l : baselineConnections, baselineDuration, baselineRuns);
            List<Double> best = new ArrayList<>();
            List<Double> lossFree = new ArrayList<>();
            List<Double> baselines = new ArrayList<>();
            List<FanoutRamp.Result> results = new ArrayList<>();
            for (int rep = 0; rep < repeat; rep++) {
                Spread b = baseline.measure();
                baselines.addAll(b.values());
                out.printf(Locale.ROOT, "# %s: loopback baseline %s events/s (median %,.0f, %d connections)%n", config, b.range(), b.median(), baseline.connections());
                FanoutRamp.Result r = ramp.run(probe, s -> out.println("#   " + config + " step: " + s.describe()));
                results.add(r);
                best.add(r.best().deliveredPerSecond());
                lossFree.add(r.lossFreePerSecond());
                out.printf(Locale.ROOT, "# %s: ramp %d: best %,.0f events/s delivered (%,.0f exits/s, %,.0f dropped in its window), loss-free %,.0f events/s; stopped: %s%n",
                        config, rep + 1, r.best().deliveredPerSecond(), r.best().exitsPerSecond(), r.best().dropped(), r.lossFreePerSecond(), r.limit());
            }
            out.println(summary(config, results, new Spread(best), new Spread(lossFree), new Spread(baselines), baseline.connections()).format());
        }
    }

    /** The RESULT line of one listener count: the median ramp's best step gives the context. */
    static SummaryLine summary(String config, List<FanoutRamp.Result> results, Spread best, Spread lossFree, Spread baselines, int baselineConnections) {
        FanoutRamp.Result median = results.stream()
                .min((a, b) -> Double.compare(Math.abs(a.best().deliveredPerSecond() - best.median()), Math.abs(b.best().deliveredPerSecond() - best.median())))
                .orElseThrow();
        FanoutStep s = median.best();
        SummaryLine line = new SummaryLine("fanout." + config, best.median(), "events/s", baselines.median())
                .with("exits_per_s", fmt0(s.exitsPerSecond()))
                .with("dropped", fmt0(s.dropped()))
                .with("dropped_pct", String.format(Locale.ROOT, "%.3f", s.sentPerSecond() * s.seconds() + s.dropped() == 0 ? 0
                        : 100.0 * s.dropped() / (s.sentPerSecond() * s.seconds() + s.dropped())))
                .with("offered", fmt0(s.offeredPerSecond()))
                .with("window_s", String.format(Locale.ROOT, "%.1f", s.seconds()))
                .with("scrape_ms", fmt0(s.scrapeMillis()))
                .with("range", best.range()).with("runs", results.size())
                .with("lossfree", fmt0(lossFree.median())).with("lossfree_range", lossFree.range())
                .with("limit", median.limit())
                .with("baseline_range", baselines.range()).with("baseline_connections", baselineConnections);
        if (s.cores() != null) {
            line = line.with("cores_emulator", Harness.fmt(s.cores().emulator())).with("cores_listeners", Harness.fmt(s.cores().listeners()))
                    .with("cores_machine", Harness.fmt(s.cores().machine()));
        }
        return line;
    }

    private static String fmt0(double d) {
        return String.format(Locale.ROOT, "%.0f", d);
    }

    /** The emulator's counters that the fan-out measurement reads, at one moment. */
    record BrokerCounters(long nanos, long latencyNanos, double exits, double sent, double dropped, double lagged) {
        static BrokerCounters parse(String prometheus, long nanos, long latencyNanos) {
            PrometheusSamples p = PrometheusSamples.parse(prometheus);
            return new BrokerCounters(nanos, latencyNanos, p.sum("tsfleet_broker_exits_total"), p.sum("tsfleet_broker_events_sent_total"),
                    p.sum(DROPPED, "reason=\"rcvbuf_full\"") + p.sum(DROPPED, "reason=\"congested\""), p.sum("tsfleet_broker_workload_lagged_exits_total"));
        }
    }

    /**
     * One step against the running emulator and listeners: set the rate, settle, measure a window, set the rate to 0
     * and wait until nothing moves (every queued event delivered), so that the next step starts clean.
     */
    static final class Probe implements FanoutRamp.StepProbe {
        private final Http http;
        private final URI workload;
        private final URI prometheus;
        private final long emulatorPid;
        private final FanoutListeners.Child listeners;
        private final int cpus;
        private final Duration settle;
        private final Duration window;
        private final boolean cpuMeasured;

        Probe(Http http, EmulatorService emulator, FanoutListeners.Child listeners, int cpus, Duration settle, Duration window) {
            this(http, emulator.base(), emulator.pid(), listeners, cpus, settle, window);
        }

        /** {@code emulatorPid} 0: no CPU figures (a stand-in emulator). */
        Probe(Http http, URI emulatorBase, long emulatorPid, FanoutListeners.Child listeners, int cpus, Duration settle, Duration window) {
            this.http = http;
            this.workload = emulatorBase.resolve("/api/v1/workload");
            this.prometheus = emulatorBase.resolve("/actuator/prometheus");
            this.emulatorPid = emulatorPid;
            this.listeners = listeners;
            this.cpus = cpus;
            this.settle = settle;
            this.window = window;
            this.cpuMeasured = emulatorPid > 0;
        }

        @Override
        public FanoutStep run(double offered) throws IOException, InterruptedException {
            setRate(offered);
            Thread.sleep(settle.toMillis());
            CpuMeter.Window cpu = CpuMeter.window(List.of(emulatorPid), List.of(listeners.pid()));
            Sample s0 = sample();
            Thread.sleep(window.toMillis());
            Sample s1 = sample();
            CpuMeter.Cores cores = cpu.cores();
            setRate(0);
            awaitQuiet(Duration.ofSeconds(60));
            if (s1.listeners().failed() > 0) throw new IOException(s1.listeners().failed() + " listener(s) lost their connection (see the listeners' log)");
            FanoutListeners.Counts d = s1.listeners().minus(s0.listeners());
            BrokerCounters b0 = s0.broker();
            BrokerCounters b1 = s1.broker();
            double ls = d.nanos() / 1e9;
            double bs = (b1.nanos() - b0.nanos()) / 1e9;
            return new FanoutStep(offered, ls, (b1.exits() - b0.exits()) / bs, (b1.sent() - b0.sent()) / bs, d.events() / ls,
                    b1.dropped() - b0.dropped(), b1.lagged() - b0.lagged(), d.overruns(),
                    cpuMeasured ? new FanoutStep.Cores(cores.first(), cores.second(), cores.machine()) : null,
                    Math.max(b0.latencyNanos(), b1.latencyNanos()) / 1e6);
        }

        private record Sample(FanoutListeners.Counts listeners, BrokerCounters broker) {
        }

        /** The listeners' counters and the emulator's at (nearly) the same moment: the scrape runs while the listeners answer. */
        private Sample sample() throws IOException, InterruptedException {
            CompletableFuture<BrokerCounters> scrape = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    scrape.complete(broker());
                } catch (IOException | InterruptedException | RuntimeException e) {
                    scrape.completeExceptionally(e);
                }
            });
            FanoutListeners.Counts c = listeners.counts();
            try {
                return new Sample(c, scrape.get());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) throw io;
                throw new IOException("scraping " + prometheus + " failed: " + e.getCause(), e.getCause());
            }
        }

        private BrokerCounters broker() throws IOException, InterruptedException {
            long before = System.nanoTime();
            String body = http.get(prometheus);
            long after = System.nanoTime();
            return BrokerCounters.parse(body, before + (after - before) / 2, after - before);
        }

        void setRate(double exitsPerSecond) throws IOException, InterruptedException {
            http.put(workload, String.format(Locale.ROOT, "{\"baseRate\":%.4f}", exitsPerSecond / cpus));
        }

        /** Waits until neither exits nor delivered events move between two readings 250 ms apart. */
        void awaitQuiet(Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            FanoutListeners.Counts lastCounts = listeners.counts();
            BrokerCounters lastBroker = broker();
            while (System.nanoTime() < deadline) {
                Thread.sleep(250);
                FanoutListeners.Counts c = listeners.counts();
                BrokerCounters b = broker();
                if (c.events() == lastCounts.events() && b.exits() == lastBroker.exits()) return;
                lastCounts = c;
                lastBroker = b;
            }
            throw new IOException("the fan-out did not become quiet within " + timeout + " after the workload stopped");
        }
    }
}
