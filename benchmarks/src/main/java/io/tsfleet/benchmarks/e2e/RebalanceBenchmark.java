package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rebalance convergence: the coordinator, the emulator with a uniform workload and K replicas that follow the
 * coordinator, each able to write at most {@code sink-cap} records/s (a downstream quota: what makes a replica
 * overflow on this small machine). Once the fleet is settled and loss-free, a hot spot starts: the {@code hot-count}
 * lowest CPUs of the replica that owns CPU 0 run at {@code hot-factor} times the base rate, so that this one replica
 * exceeds its cap and loses records.
 * Measured from the onset: the seconds until the last record was lost (the fleet is then loss-free for {@code quiet}
 * and every handover is finished), the records lost, the CPUs moved against the minimum that reaches the cap and the
 * minimum that reaches the planner's headroom share of it, and the final imbalance against its physical floor.
 *
 * <p>Result lines: {@code rebalance.converge} (s), {@code rebalance.lost} (records), {@code rebalance.moved} (CPUs;
 * baseline = the minimum at the cap), {@code rebalance.imbalance} (baseline = the floor).
 */
public final class RebalanceBenchmark {
    private final EmulatorService.Settings settings;
    private final int cpus;
    private final int replicas;
    private final double baseRate;
    private final int hotCount;
    private final double hotFactor;
    private final double sinkCap;
    private final double headroom;
    private final Duration observe;
    private final Duration quiet;
    private final Duration settleTimeout;
    private final int repeat;
    private final List<String> coordinatorArgs;
    private final PrintStream out;

    private RebalanceBenchmark(Options o, PrintStream out) {
        this.settings = CommonOptions.read(o);
        this.cpus = o.integer("cpus", 64, 2, 8192, "emulated possible CPUs 0..N-1");
        this.replicas = o.integer("replicas", 4, 2, 64, "replicas following the coordinator");
        this.baseRate = o.number("base-rate", 500, 1, 1e6, "exits/s per CPU before and during the hot spot");
        this.hotCount = o.integer("hot-count", 8, 1, 8192, "hot CPUs: the lowest ones of the replica that owns CPU 0 at the onset");
        this.hotFactor = o.number("hot-factor", 10, 1, 10_000, "the hot CPUs' rate multiplier");
        this.sinkCap = o.number("sink-cap", 30_000, 1, 1e9, "records/s each replica can write (sink-options.max-records-per-second)");
        this.headroom = o.number("headroom", 0.7, 0.01, 1, "the coordinator's planner headroom (tsfleet.coordinator.planner.headroom)");
        this.observe = o.duration("observe", "300s", "longest wait for convergence after the onset");
        this.quiet = o.duration("quiet", "15s", "loss-free time that counts as converged");
        this.settleTimeout = o.duration("settle-timeout", "300s", "longest wait for the fleet to settle before the onset");
        this.repeat = o.integer("repeat", 1, 1, 10, "hot-spot episodes (each on a fresh fleet)");
        String policy = o.string("coordinator-args", "", "extra coordinator arguments, space separated (e.g. "
                + "--tsfleet.coordinator.policy.overflow-sustain=3s); empty = the coordinator's defaults");
        this.coordinatorArgs = policy.isBlank() ? List.of() : List.of(policy.trim().split("\\s+"));
        this.out = out;
    }

    public static RebalanceBenchmark fromOptions(Options o, PrintStream out) {
        return new RebalanceBenchmark(o, out);
    }

    private record Episode(double convergeSeconds, double lost, int moved, double counterMoved, int minAtCap, int minAtHeadroom,
                           double imbalance, double floor, boolean converged) {
    }

    public void run() throws IOException, InterruptedException {
        if (hotCount > cpus / replicas) throw new IllegalArgumentException("--hot-count must fit into one replica's share: at most " + cpus / replicas);
        List<Episode> episodes = new ArrayList<>();
        for (int i = 0; i < repeat; i++) episodes.add(episode(i));
        List<Episode> done = episodes.stream().filter(Episode::converged).toList();
        out.printf(Locale.ROOT, "# %d of %d episodes converged within %s%n", done.size(), episodes.size(), observe);
        if (done.isEmpty()) {
            out.println(new SummaryLine("rebalance.converged", 0, "episodes", Double.NaN).with("of", episodes.size()).format());
            return;
        }
        Spread t = new Spread(done.stream().map(Episode::convergeSeconds).toList());
        Spread lost = new Spread(done.stream().map(Episode::lost).toList());
        Spread moved = new Spread(done.stream().map(e -> (double) e.moved()).toList());
        Spread imb = new Spread(done.stream().map(Episode::imbalance).toList());
        Episode last = done.getLast();
        String args = String.join(",", coordinatorArgs).replace("--tsfleet.coordinator.", "").replace('=', ':');
        out.println(new SummaryLine("rebalance.converge", t.median(), "s", Double.NaN).with("range", String.format(Locale.ROOT, "%.1f..%.1f", t.min(), t.max()))
                .with("runs", done.size()).with("coordinator", args.isEmpty() ? "defaults" : args).format());
        out.println(new SummaryLine("rebalance.lost", lost.median(), "records", Double.NaN).with("range", lost.range()).format());
        out.println(new SummaryLine("rebalance.moved", moved.median(), "cpus", last.minAtCap() < 0 ? Double.NaN : last.minAtCap())
                .with("range", moved.range()).with("min_at_cap", last.minAtCap()).with("min_at_headroom", last.minAtHeadroom()).format());
        out.println(new SummaryLine("rebalance.imbalance", imb.median(), "max/mean", last.floor())
                .with("range", String.format(Locale.ROOT, "%.3f..%.3f", imb.min(), imb.max())).format());
    }

    private Episode episode(int index) throws IOException, InterruptedException {
        String possible = "0-" + (cpus - 1);
        List<String> coordArgs = new ArrayList<>(coordinatorArgs);
        out.printf(Locale.ROOT, "# episode %d: coordinator, emulator (%d CPUs at %.0f/s each), %d replicas capped at %.0f records/s%n",
                index + 1, cpus, baseRate, replicas, sinkCap);
        try (CoordinatorService coordinator = CoordinatorService.start(settings, possible, coordArgs);
             EmulatorService emulator = EmulatorService.startEmulated(settings, cpus, List.of())) {
            List<ListenerReplica> fleet = new ArrayList<>();
            try {
                for (int i = 0; i < replicas; i++) {
                    fleet.add(ListenerReplica.startCoordinated(settings, String.format(Locale.ROOT, "rb%d-r%d", index, i), emulator.broker(), coordinator.base(),
                            List.of("--tsfleet.listener.coordinator-token=" + coordinator.token(),
                                    String.format(Locale.ROOT, "--tsfleet.listener.sink-options.max-records-per-second=%.0f", sinkCap))));
                }
                for (ListenerReplica r : fleet) r.awaitReady(settings);
                emulator.uniformRate(baseRate);
                List<URI> replicaMetrics = fleet.stream().map(ListenerReplica::prometheus).toList();
                CoordinatorService.Assignment before = awaitSettled(coordinator, replicaMetrics);
                Map<String, CpuSet> masks = parseMasks(before.owners());
                CpuSet hot = hotSpot(masks);
                double[] loads = new double[cpus];
                java.util.Arrays.fill(loads, baseRate);
                hot.forEach(c -> loads[c] = baseRate * hotFactor);
                int minCap = MinimumMoves.atLimit(loads, masks, sinkCap);
                int minHeadroom = MinimumMoves.atLimit(loads, masks, headroom * sinkCap);
                out.printf(Locale.ROOT, "#   settled at generation %d: %s; onset: CPUs %s x%.0f (minimum moves: %d to the cap, %d to %.0f%% of it)%n",
                        before.generation(), before.owners(), hot.toCpulist(), hotFactor, minCap, minHeadroom, headroom * 100);
                double movedBefore = PrometheusSamples.parse(settings.http().get(coordinator.prometheus())).sum("tsfleet_coordinator_cpus_moved_total");
                double lost0 = lost(replicaMetrics);
                long onset = System.nanoTime();
                java.time.Instant onsetInstant = java.time.Instant.now();
                emulator.workload(String.format(Locale.ROOT, "{\"baseRate\":%.3f,\"hotCpus\":\"%s\",\"hotFactor\":%.3f}", baseRate, hot.toCpulist(), hotFactor));
                double lastLost = lost0;
                long lastLossAt = onset;
                boolean converged = false;
                long deadline = onset + observe.toNanos();
                CoordinatorService.Assignment now = before;
                int lastGen = -1;
                while (System.nanoTime() < deadline) {
                    Thread.sleep(500);
                    double l = lost(replicaMetrics);
                    long t = System.nanoTime();
                    if (l > lastLost) {
                        lastLost = l;
                        lastLossAt = t;
                    }
                    now = coordinator.assignment();
                    if (now.generation() != lastGen) {
                        out.printf(Locale.ROOT, "#   +%5.1fs generation %d, lost so far %,.0f, handovers %d, pending %d%n", (t - onset) / 1e9, now.generation(),
                                l - lost0, now.handovers(), now.pending());
                        lastGen = (int) now.generation();
                    }
                    boolean lossEpisodeOver = lastLost > lost0 || t - onset >= 2 * quiet.toNanos();   // or it never lost anything
                    if (t - lastLossAt >= quiet.toNanos() && now.settled() && lossEpisodeOver) {
                        converged = true;
                        break;
                    }
                }
                PrometheusSamples c = PrometheusSamples.parse(settings.http().get(coordinator.prometheus()));
                int moved = movedCpus(masks, parseMasks(now.owners()));
                Episode e = new Episode((lastLossAt - onset) / 1e9, lastLost - lost0, moved, c.sum("tsfleet_coordinator_cpus_moved_total") - movedBefore,
                        minCap, minHeadroom, c.sum("tsfleet_coordinator_imbalance_ratio"), c.sum("tsfleet_coordinator_imbalance_floor_ratio"), converged);
                for (String a : coordinator.auditSince(onsetInstant.minusSeconds(1))) out.println("#     audit " + a);
                out.printf(Locale.ROOT, "#   %s: last loss %.1fs after the onset, %,.0f records lost, %d CPUs moved (coordinator counter %+.0f; minimum %d / %d), "
                                + "imbalance %.3f (floor %.3f); owners %s%n", converged ? "converged" : "NOT converged", e.convergeSeconds(), e.lost(), e.moved(),
                        e.counterMoved(), minCap, minHeadroom, e.imbalance(), e.floor(), now.owners());
                return e;
            } finally {
                for (ListenerReplica r : fleet) r.close();
            }
        }
    }

    /** The {@code hotCount} lowest CPUs of the replica that owns CPU 0. */
    private CpuSet hotSpot(Map<String, CpuSet> masks) {
        CpuSet owner = masks.values().stream().filter(m -> m.contains(0)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no replica owns CPU 0: " + masks));
        int[] cpusOfOwner = owner.toArray();
        if (cpusOfOwner.length < hotCount) {
            throw new IllegalStateException("the owner of CPU 0 has only " + cpusOfOwner.length + " CPUs; --hot-count is " + hotCount);
        }
        return CpuSet.of(java.util.Arrays.copyOf(cpusOfOwner, hotCount));
    }

    /** Waits until every CPU is covered, nothing is moving, and nothing was lost for {@code quiet}. */
    private CoordinatorService.Assignment awaitSettled(CoordinatorService coordinator, List<URI> replicaMetrics) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + settleTimeout.toNanos();
        double last = lost(replicaMetrics);
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            CoordinatorService.Assignment a = coordinator.assignment();
            double l = lost(replicaMetrics);
            if (l != last || !a.settled()) {
                last = l;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= quiet.toNanos()) {
                return a;
            }
        }
        throw new IOException("the fleet did not settle (covered, no handovers, loss-free for " + quiet + ") within " + settleTimeout);
    }

    private double lost(List<URI> replicaMetrics) throws IOException, InterruptedException {
        return ReplicaTotals.read(settings.http(), replicaMetrics).lost();
    }

    private static Map<String, CpuSet> parseMasks(Map<String, String> owners) {
        Map<String, CpuSet> m = new LinkedHashMap<>();
        owners.forEach((id, list) -> {
            try {
                m.put(id, list.isEmpty() ? CpuSet.EMPTY : CpuSet.parse(list));
            } catch (CpulistParseException e) {
                throw new IllegalStateException("the coordinator answered a bad cpulist for " + id + ": " + list, e);
            }
        });
        return m;
    }

    /** CPUs whose owner differs between two owner maps. */
    static int movedCpus(Map<String, CpuSet> before, Map<String, CpuSet> after) {
        int moved = 0;
        for (Map.Entry<String, CpuSet> e : after.entrySet()) {
            CpuSet had = before.getOrDefault(e.getKey(), CpuSet.EMPTY);
            moved += e.getValue().minus(had).size();
        }
        return moved;
    }
}
