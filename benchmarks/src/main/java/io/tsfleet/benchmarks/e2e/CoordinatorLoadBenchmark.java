package io.tsfleet.benchmarks.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * What one coordinator costs at cluster scale: the real {@code coordinator.jar} in cluster mode, {@code nodes} node
 * agents of {@code cpus-per-node} CPUs each announcing every announce interval, and {@code replicas} replicas
 * heartbeating every heartbeat interval with the bodies a real replica sends (per-CPU rates, first sequence numbers of
 * acquired CPUs, releases after fences), simulated over HTTP ({@link SimulatedFleetClient}, {@link SimulatedReplica}).
 * Once the fleet has converged (every slot covered, no handover in flight, nothing changing for {@code quiet}), the
 * coordinator process's CPU time ({@code /proc/<pid>/stat}) is measured over {@code window}, with the latencies of
 * the heartbeats and announcements in it.
 *
 * <p>The baseline, measured the same way in the same run: a static fleet of one node with {@code baseline-cpus} CPUs
 * and {@code baseline-replicas} replicas (today's single-node fleet). Each coordinator's idle cost (started, nobody
 * talking to it) is measured first and printed alongside.
 *
 * <p>Result lines: {@code coordinator.load.cpu} (% of one core; baseline = the static fleet's), {@code
 * coordinator.load.heartbeat_p50} and {@code _p99} (ms), {@code coordinator.load.converge} (s).
 */
public final class CoordinatorLoadBenchmark {
    private final EmulatorService.Settings settings;
    private final int nodes;
    private final int cpusPerNode;
    private final int replicas;
    private final int baselineCpus;
    private final int baselineReplicas;
    private final double baseRate;
    private final double capacity;
    private final Duration idle;
    private final Duration nodeSpread;
    private final Duration window;
    private final Duration warmup;
    private final Duration quiet;
    private final Duration settleTimeout;
    private final int repeat;
    private final boolean skipBaseline;
    private final String heap;
    private final List<String> coordinatorArgs;
    private final PrintStream out;
    /** The HotSpot JIT's compiler threads ({@code C1 CompilerThread0}, {@code C2 CompilerThread1}, ...). */
    private static final java.util.regex.Pattern JIT_THREADS = java.util.regex.Pattern.compile("C\\d CompilerThre.*");

    private CoordinatorLoadBenchmark(Options o, PrintStream out) {
        this.settings = CommonOptions.read(o);
        this.nodes = o.integer("nodes", 1024, 1, 65536, "simulated node agents");
        this.cpusPerNode = o.integer("cpus-per-node", 128, 1, 8192, "possible CPUs of each node");
        this.replicas = o.integer("replicas", 256, 1, 4096, "simulated replicas");
        this.baselineCpus = o.integer("baseline-cpus", 64, 1, 8192, "CPUs of the baseline's static fleet");
        this.baselineReplicas = o.integer("baseline-replicas", 3, 1, 4096, "replicas of the baseline's static fleet");
        this.baseRate = o.number("base-rate", 20, 0.01, 1e6, "mean exits/s per CPU that replicas report (each CPU 0.75-1.25 x this)");
        this.capacity = o.number("capacity", 100_000, 0, 1e9, "capacityPerSecond every replica reports");
        this.idle = o.duration("idle", "0s", "measure the idle coordinator for this long before the fleet starts (0: not at all; "
                + "the fleet then starts within the coordinator's load warm-up, as it does when a coordinator starts or takes over)");
        this.nodeSpread = o.duration("node-spread", "10s", "node agents send their first announcement at random within this "
                + "(agents that run already announce at a random phase of the 10 s announce interval)");
        this.window = o.duration("window", "60s", "the converged fleet's measurement window");
        this.warmup = o.duration("warmup", "120s", "keep the converged fleet running this long before the window: the JIT "
                + "compiles the request path for minutes after a start (a coordinator runs for days); 0: measure at once");
        this.quiet = o.duration("quiet", "10s", "settled without a new generation for this long counts as converged");
        this.settleTimeout = o.duration("settle-timeout", "300s", "longest wait for convergence");
        this.repeat = o.integer("repeat", 1, 1, 10, "repetitions (each with fresh coordinators)");
        this.skipBaseline = o.flag("no-baseline", "skip the static fleet's baseline");
        this.heap = o.string("coordinator-heap", "512m", "-Xmx of the coordinator");
        String extra = o.string("coordinator-args", "", "extra arguments of the cluster fleet's coordinator (not the baseline's), space separated");
        this.coordinatorArgs = extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
        this.out = out;
    }

    public static CoordinatorLoadBenchmark fromOptions(Options o, PrintStream out) {
        return new CoordinatorLoadBenchmark(o, out);
    }

    /** One measured fleet. */
    record Measurement(double idleCores, double cores, double jitCores, double harnessCores, double machineCores, double heartbeatP50, double heartbeatP99,
                       double heartbeatMax, double announceP50, double announceP99, double heartbeatsPerSecond, double announcementsPerSecond,
                       double coveredSeconds, double convergedSeconds, long generationsInWindow, Map<String, Long> failures) {
    }

    public void run() throws IOException, InterruptedException {
        List<Measurement> base = new ArrayList<>();
        List<Measurement> load = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            if (!skipBaseline) base.add(measure(i, false));
            load.add(measure(i, true));
        }
        double baseCpu = base.isEmpty() ? Double.NaN : spread(base, m -> m.cores() * 100).median();
        Spread cpu = spread(load, m -> m.cores() * 100);
        Spread idleCpu = spread(load, m -> m.idleCores() * 100);
        String shape = nodes + "x" + cpusPerNode + ".r" + replicas;
        out.println(new SummaryLine("coordinator.load.cpu", cpu.median(), "%core", baseCpu)
                .with("range", String.format(Locale.ROOT, "%.2f..%.2f", cpu.min(), cpu.max())).with("runs", load.size()).with("target", "<10")
                .with("fleet", shape).with("slots", nodes * cpusPerNode)
                .with("jit", String.format(Locale.ROOT, "%.2f", spread(load, m -> m.jitCores() * 100).median()))
                .with("warmup", warmup.toSeconds() + "s")
                .with("idle", Double.isNaN(idleCpu.median()) ? "-" : String.format(Locale.ROOT, "%.2f", idleCpu.median()))
                .with("baseline_fleet", "static." + baselineCpus + ".r" + baselineReplicas)
                .with("baseline_range", base.isEmpty() ? "-" : spread(base, m -> m.cores() * 100).format2())
                .with("heartbeats_per_s", String.format(Locale.ROOT, "%.1f", spread(load, Measurement::heartbeatsPerSecond).median()))
                .with("announcements_per_s", String.format(Locale.ROOT, "%.1f", spread(load, Measurement::announcementsPerSecond).median()))
                .with("generations_in_window", load.stream().mapToLong(Measurement::generationsInWindow).max().orElse(0))
                .with("cores_machine", String.format(Locale.ROOT, "%.2f", spread(load, Measurement::machineCores).median())).format());
        latencyLine("coordinator.load.heartbeat_p50", load, base, Measurement::heartbeatP50);
        latencyLine("coordinator.load.heartbeat_p99", load, base, Measurement::heartbeatP99);
        latencyLine("coordinator.load.announce_p99", load, base, Measurement::announceP99);
        Spread conv = spread(load, Measurement::convergedSeconds);
        out.println(new SummaryLine("coordinator.load.converge", conv.median(), "s", base.isEmpty() ? Double.NaN : spread(base, Measurement::convergedSeconds).median())
                .with("range", conv.format1()).with("covered", spread(load, Measurement::coveredSeconds).format1()).format());
    }

    private void latencyLine(String name, List<Measurement> load, List<Measurement> base, Function<Measurement, Double> f) {
        List<Measurement> l = load.stream().filter(m -> !Double.isNaN(f.apply(m))).toList();
        List<Measurement> b = base.stream().filter(m -> !Double.isNaN(f.apply(m))).toList();
        if (l.isEmpty()) return;
        Spread s = spread(l, f);
        out.println(new SummaryLine(name, s.median(), "ms", b.isEmpty() ? Double.NaN : spread(b, f).median()).with("range", s.format1()).format());
    }

    private static Spread spread(List<Measurement> ms, Function<Measurement, Double> f) {
        return new Spread(ms.stream().map(f).toList());
    }

    private Measurement measure(int index, boolean cluster) throws IOException, InterruptedException {
        String label = cluster ? String.format(Locale.ROOT, "cluster fleet: %d nodes x %d CPUs (%,d slots), %d replicas", nodes, cpusPerNode,
                nodes * cpusPerNode, replicas) : String.format(Locale.ROOT, "static fleet: %d CPUs, %d replicas", baselineCpus, baselineReplicas);
        out.printf(Locale.ROOT, "# run %d, %s%n", index + 1, label);
        String nodeToken = UUID.randomUUID().toString();
        List<String> args = new ArrayList<>();
        if (cluster) args.add("--tsfleet.coordinator.security.node-tokens=" + nodeToken);
        else args.add("--tsfleet.coordinator.possible-cpus=0-" + (baselineCpus - 1));
        args.add("--tsfleet.coordinator.scaling.max-replicas=" + Math.max(replicas, baselineReplicas));
        if (cluster) args.addAll(coordinatorArgs);
        String name = String.format(Locale.ROOT, "coordinator-%s-%d", cluster ? "cluster" : "static", index + 1);
        try (CoordinatorService coordinator = CoordinatorService.start(settings, name, List.of("-Xmx" + heap), args)) {
            long pid = coordinator.pid();
            double idleCores = Double.NaN;
            if (!idle.isZero()) {
                // (this delays the fleet past the coordinator's load warm-up: its joins are then planned in full)
                Thread.sleep(5000);
                CpuMeter.Window idleWindow = CpuMeter.window(List.of(pid), List.of());
                Thread.sleep(idle.toMillis());
                idleCores = idleWindow.cores().first();
                out.printf(Locale.ROOT, "#   idle: %.2f %% of one core over %s%n", idleCores * 100, idle);
            }

            long startMillis = System.currentTimeMillis();
            SyntheticNodes fleetNodes = cluster ? SyntheticNodes.cluster(nodes, cpusPerNode, baseRate, startMillis)
                    : SyntheticNodes.staticNode("local", baselineCpus, baseRate, startMillis);
            int count = cluster ? replicas : baselineReplicas;
            List<SimulatedReplica> fleet = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                SyntheticNodes.Node home = fleetNodes.all().get(i % fleetNodes.all().size());
                fleet.add(new SimulatedReplica(String.format(Locale.ROOT, "replica-%03d", i), cluster ? home.name() : null, home.zone(), capacity,
                        fleetNodes, 10_000));
            }
            try (SimulatedFleetClient client = new SimulatedFleetClient(coordinator.base(), coordinator.token(), nodeToken)) {
                long t0 = System.nanoTime();
                for (SimulatedReplica r : fleet) client.startReplica(r, 2000);
                awaitCount("replicas joined", client::joined, count, t0);
                if (cluster) {
                    for (SyntheticNodes.Node n : fleetNodes.all()) client.startNodeAgent(n, nodeSpread.toMillis());
                    awaitCount("nodes announced", client::announced, nodes, t0);
                }
                double[] times = awaitConverged(coordinator, client, fleet, fleetNodes.slots(), t0);

                if (!warmup.isZero()) {
                    out.printf(Locale.ROOT, "#   warm-up: the converged fleet runs for %s before the window%n", warmup);
                    Thread.sleep(warmup.toMillis());
                }
                long gen0 = client.highestGeneration();
                client.recording(true);
                CpuMeter.Window w = CpuMeter.window(List.of(pid), List.of(ProcessHandle.current().pid()));
                double jit0 = CpuMeter.threadSeconds(pid, JIT_THREADS);
                long w0 = System.nanoTime();
                Thread.sleep(window.toMillis());
                CpuMeter.Cores cores = w.cores();
                double seconds = (System.nanoTime() - w0) / 1e9;
                double jitCores = (CpuMeter.threadSeconds(pid, JIT_THREADS) - jit0) / seconds;
                client.recording(false);
                long generations = client.highestGeneration() - gen0;
                SimulatedFleetClient.Latencies hb = client.heartbeatLatencies();
                SimulatedFleetClient.Latencies an = client.announcementLatencies();
                Measurement m = new Measurement(idleCores, cores.first(), jitCores, cores.second(), cores.machine(), hb.quantileMillis(0.5), hb.quantileMillis(0.99),
                        hb.quantileMillis(1.0), an.quantileMillis(0.5), an.quantileMillis(0.99), hb.count() / seconds, an.count() / seconds, times[0], times[1],
                        generations, client.failures());
                out.printf(Locale.ROOT, "#   window %.0f s: coordinator %.2f %% of one core (of which the JIT compiler %.2f %%; idle %.2f %%), harness %.2f cores, machine %.2f cores; "
                                + "%.1f heartbeats/s p50 %.1f ms p99 %.1f ms max %.1f ms; %.1f announcements/s p50 %.1f ms p99 %.1f ms; "
                                + "%d new generations in the window; failed requests %s%n",
                        seconds, m.cores() * 100, m.jitCores() * 100, idleCores * 100, m.harnessCores(), m.machineCores(), m.heartbeatsPerSecond(), m.heartbeatP50(),
                        m.heartbeatP99(), m.heartbeatMax(), m.announcementsPerSecond(), m.announceP50(), m.announceP99(), generations, m.failures());
                CoordinatorService.Assignment after = coordinator.assignment();
                out.printf(Locale.ROOT, "#   after the window: generation %d, uncovered '%s', %d handovers, %d pending%n", after.generation(),
                        after.uncovered(), after.handovers(), after.pending());
                return m;
            }
        }
    }

    private void awaitCount(String what, java.util.function.LongSupplier n, long expected, long t0) throws IOException, InterruptedException {
        long deadline = t0 + settleTimeout.toNanos();
        while (n.getAsLong() < expected) {
            if (System.nanoTime() > deadline) throw new IOException(what + ": " + n.getAsLong() + " of " + expected + " within " + settleTimeout);
            Thread.sleep(100);
        }
        out.printf(Locale.ROOT, "#   +%5.1fs %s: %d%n", (System.nanoTime() - t0) / 1e9, what, expected);
    }

    /**
     * Waits until the coordinator reports every slot covered and nothing moving, every replica holds exactly its target,
     * and no new generation came for {@code quiet}. Returns the seconds from {@code t0} to the first full coverage and
     * to the start of that quiet period.
     */
    private double[] awaitConverged(CoordinatorService coordinator, SimulatedFleetClient client, List<SimulatedReplica> fleet, int slots, long t0)
            throws IOException, InterruptedException {
        long deadline = t0 + settleTimeout.toNanos();
        double covered = Double.NaN;
        long quietSince = -1;
        long quietGeneration = -1;
        long lastPrinted = -1;
        while (System.nanoTime() < deadline) {
            Thread.sleep(2000);
            CoordinatorService.Assignment a;
            try {
                a = coordinator.assignment();
            } catch (IOException e) {
                // a coordinator busy converging may answer the admin API late: not converged, ask again
                out.printf(Locale.ROOT, "#   +%5.1fs the assignment could not be read: %s%n", (System.nanoTime() - t0) / 1e9, e.getMessage());
                quietSince = -1;
                continue;
            }
            long now = System.nanoTime();
            int registered = 0;
            boolean allMatch = true;
            for (SimulatedReplica r : fleet) {
                SimulatedReplica.Holding h = r.holding();
                registered += h.registered();
                allMatch &= h.matchesTarget();
            }
            if (Double.isNaN(covered) && a.uncovered().isEmpty()) covered = (now - t0) / 1e9;
            if (a.generation() != lastPrinted) {
                out.printf(Locale.ROOT, "#   +%5.1fs generation %d, uncovered %s, handovers %d, pending %d, registered %,d of %,d slots%s%n", (now - t0) / 1e9,
                        a.generation(), a.uncovered().isEmpty() ? "none" : abbreviate(a.uncovered()), a.handovers(), a.pending(), registered, slots,
                        allMatch ? ", every replica holds its target" : "");
                lastPrinted = a.generation();
            }
            boolean settled = a.settled() && allMatch && registered == slots;
            if (!settled || a.generation() != quietGeneration) {
                quietSince = settled ? now : -1;
                quietGeneration = settled ? a.generation() : -1;
            } else if (now - quietSince >= quiet.toNanos()) {
                out.printf(Locale.ROOT, "#   converged: covered after %.1f s, settled after %.1f s (generation %d)%n", covered, (quietSince - t0) / 1e9,
                        a.generation());
                return new double[] {covered, (quietSince - t0) / 1e9};
            }
        }
        throw new IOException("the fleet did not converge (covered, settled, no new generation for " + quiet + ") within " + settleTimeout
                + "; failed requests: " + client.failures());
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
