package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.ServiceProcess;
import io.tsfleet.protocol.cpu.CpuSet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live kernel under an exit storm ({@code storm.c}: pinned workers that fork and reap children as fast as they
 * can), received in the same run by a single plain listener ({@code pylisten.py}: one netlink socket on all CPUs), by
 * static fleets (the emulator with {@code tsfleet.emulator.backend=kernel}, one or two listener-service replicas on
 * fixed masks, one connection per CPU) and by the coordinator-managed fleet exactly as a user starts it
 * ({@code scripts/fleet up --backend kernel --replicas 2}: the coordinator plans, handovers, JSON-lines sinks).
 *
 * <p>Two kernel buffers: the fleet's default (the kernel backend keeps every socket's {@code SO_RCVBUF} at least
 * {@code tsfleet.emulator.live.receive-buffer-floor}, 256 MB; the plain listener gets the same with
 * {@code SO_RCVBUFFORCE}), and a small one (16 KiB requested, 32 KiB in the kernel, no floor). By default every
 * process runs in a session of its own ({@code --sessions own}), so each is its own CPU scheduling group, as daemons
 * and containers are; {@code --sessions shared} keeps them in the harness's session, where the storm's group and the
 * listeners' threads are one group.
 *
 * <p>Loss is measured as each listener can: the plain listener cannot see its own gaps (a socket on several CPUs
 * cannot attribute sequence numbers), so its loss is {@code 1 - storm events received / storm exits} (the storm's
 * children, workers and main process; foreign exits are not counted). The fleets' loss is exact: their sequence gaps
 * over everything the CPUs saw, {@code lost / (records + lost)}, read once the replicas have caught up after the storm.
 *
 * <p>Result lines: {@code storm.plain.<buffer>.loss}, {@code storm.fleet.k<K>.<buffer>.loss},
 * {@code storm.managed.k<K>.<buffer>.loss} (percent, median of the repetitions with their range, and the storm's exit
 * rate while that listener ran: the listeners compete with the storm for the same cores).
 */
public final class StormBenchmark {
    /** The kernel backend's default receive-buffer floor ({@code tsfleet.emulator.live.receive-buffer-floor}). */
    private static final int FLEET_FLOOR = 256 << 20;
    private final EmulatorService.Settings settings;
    private final Path repo;
    private final Duration seconds;
    private final int workers;
    private final int repeat;
    private final int smallBuffer;
    private final List<Integer> replicaCounts;
    private final int managedReplicas;
    private final boolean ownSessions;
    private final PrintStream out;

    private StormBenchmark(Options o, PrintStream out) {
        this.settings = CommonOptions.read(o);
        this.repo = settings.emulatorJar().getParent().getParent().getParent();
        this.seconds = o.duration("storm-seconds", "3s", "length of one storm");
        this.workers = o.integer("workers", Runtime.getRuntime().availableProcessors(), 1, 64, "storm workers (pinned to CPU w % ncpu)");
        this.repeat = o.integer("repeat", 3, 1, 20, "storms per listener and buffer");
        this.smallBuffer = o.integer("small-buffer", 16384, 1152, 1 << 30, "the small SO_RCVBUF request in bytes (the kernel doubles it)");
        this.replicaCounts = o.integers("replicas", "1,2", 1, 8192, "static fleet sizes (each replica gets a contiguous share of the CPUs)");
        this.managedReplicas = o.integer("managed-replicas", 2, 0, 32, "replicas of the fleet started by scripts/fleet (0: none)");
        String sessions = o.string("sessions", "own", "own: every process in its own session (scheduling group); shared: the harness's");
        if (!sessions.equals("own") && !sessions.equals("shared")) throw new IllegalArgumentException("--sessions must be own or shared, got '" + sessions + "'");
        this.ownSessions = sessions.equals("own");
        this.out = out;
    }

    public static StormBenchmark fromOptions(Options o, PrintStream out) {
        return new StormBenchmark(o, out);
    }

    /**
     * One kernel buffer: a label, the plain listener's arguments, the kernel backend's and the replicas' arguments, and
     * the same as JVM options for the fleet that {@code scripts/fleet} starts.
     */
    record Buffer(String label, List<String> plainArgs, List<String> brokerArgs, List<String> replicaArgs) {
        String javaOpts() {
            StringBuilder b = new StringBuilder("-Xmx384m");
            for (String a : brokerArgs) b.append(" -D").append(a.substring(2));
            for (String a : replicaArgs) b.append(" -D").append(a.substring(2));
            return b.toString();
        }
    }

    public void run() throws IOException, InterruptedException {
        ServiceProcess.launchInOwnSessions(ownSessions);
        Path storm = StormTool.build(repo, out);
        Path pylisten = repo.resolve("testdata/shared/tools/pylisten.py");
        if (!Files.isRegularFile(pylisten)) throw new IOException(pylisten + " is missing");
        String possibleText = String.join(",", Files.readAllLines(Path.of("/sys/devices/system/cpu/possible"))).trim();
        CpuSet possible;
        try {
            possible = CpuSet.parse(possibleText);
        } catch (io.tsfleet.protocol.cpu.CpulistParseException e) {
            throw new IOException("cannot parse /sys/devices/system/cpu/possible '" + possibleText + "': " + e.getMessage(), e);
        }
        String all = possible.toCpulist();
        out.printf(Locale.ROOT, "# possible CPUs %s; storm %s x %d workers, %d repetitions; rmem_default %s, rmem_max %s; %s sessions%n", all, seconds,
                workers, repeat, sysctl("net/core/rmem_default"), sysctl("net/core/rmem_max"), ownSessions ? "own" : "shared");
        List<Buffer> buffers = List.of(
                new Buffer("rcvbuf_fleet_default", List.of(Integer.toString(FLEET_FLOOR / 2), "--force"), List.of(), List.of()),
                new Buffer("rcvbuf_small", List.of(Integer.toString(smallBuffer)), List.of("--tsfleet.emulator.live.receive-buffer-floor=0"),
                        List.of("--tsfleet.listener.receive-buffer=" + smallBuffer + "B", "--tsfleet.listener.receive-buffer-force=false")));
        Map<String, List<Double>> loss = new LinkedHashMap<>();
        Map<String, List<Double>> stormRates = new LinkedHashMap<>();
        for (Buffer buf : buffers) {
            for (int rep = 0; rep < repeat; rep++) {
                plain(storm, pylisten, all, buf, loss, stormRates);
                try (EmulatorService broker = EmulatorService.startKernel(settings, buf.brokerArgs())) {
                    for (int k : replicaCounts) fleet(storm, broker, possible, k, buf, loss, stormRates);
                }
                if (managedReplicas > 0) managed(storm, buf, loss, stormRates);
            }
        }
        for (Map.Entry<String, List<Double>> e : loss.entrySet()) {
            Spread s = new Spread(e.getValue());
            Spread rate = new Spread(stormRates.get(e.getKey()));
            out.println(new SummaryLine(e.getKey() + ".loss", s.median(), "%", Double.NaN)
                    .with("range", String.format(Locale.ROOT, "%.2f..%.2f", s.min(), s.max())).with("runs", s.values().size())
                    .with("storm_exits_per_s", String.format(Locale.ROOT, "%.0f", rate.median())).with("storm_range", rate.range()).format());
        }
    }

    private void plain(Path storm, Path pylisten, String cpus, Buffer buf, Map<String, List<Double>> loss, Map<String, List<Double>> rates)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", pylisten.toString(), cpus));
        cmd.addAll(buf.plainArgs());
        String name = "pylisten-" + buf.label();
        ServiceProcess listener = ServiceProcess.start(name, cmd, settings.runDir(), Duration.ofSeconds(5));
        try {
            awaitNetlinkSocket(listener.pid());
            StormTool.Result r = StormTool.run(storm, seconds, workers, settings.runDir());
            Thread.sleep(500);                                   // let the last events arrive
            listener.terminate();
            listener.waitFor(Duration.ofSeconds(10));
            String json = lastLine(listener.log());
            long received = JsonFields.longField(json, "storm_events");
            long expected = r.expectedEvents();
            double pct = 100.0 * Math.max(0, expected - received) / expected;
            out.printf(Locale.ROOT, "#   plain       %-20s storm %,d exits (%,.0f/s): received %,d of %,d storm events, ENOBUFS %d, SO_RCVBUF %d -> loss %.2f%%%n",
                    buf.label(), r.exits(), r.ratePerSecond(), received, expected, JsonFields.longField(json, "enobufs"),
                    JsonFields.longField(json, "so_rcvbuf"), pct);
            String key = "storm.plain." + buf.label();
            loss.computeIfAbsent(key, x -> new ArrayList<>()).add(pct);
            rates.computeIfAbsent(key, x -> new ArrayList<>()).add(r.ratePerSecond());
        } finally {
            listener.close();
        }
    }

    private void fleet(Path storm, EmulatorService broker, CpuSet possible, int k, Buffer buf, Map<String, List<Double>> loss,
                       Map<String, List<Double>> rates) throws IOException, InterruptedException {
        int[] cpus = possible.toArray();
        if (k > cpus.length) {
            out.printf(Locale.ROOT, "# skipping K=%d: only %d possible CPUs%n", k, cpus.length);
            return;
        }
        List<String> masks = new ArrayList<>();
        for (String range : Masks.contiguous(cpus.length, k)) masks.add(mapRange(range, cpus));
        List<ListenerReplica> fleet = new ArrayList<>();
        try {
            for (int i = 0; i < k; i++) {
                fleet.add(ListenerReplica.startStatic(settings, "storm-k" + k + "-" + buf.label() + "-r" + i, broker.broker(), masks.get(i), buf.replicaArgs()));
            }
            for (ListenerReplica r : fleet) r.awaitReady(settings);
            List<java.net.URI> endpoints = fleet.stream().map(ListenerReplica::prometheus).toList();
            ReplicaTotals before = ReplicaTotals.read(settings.http(), endpoints);
            StormTool.Result r = StormTool.run(storm, seconds, workers, settings.runDir());
            account("fleet k=" + k, "storm.fleet.k" + k + "." + buf.label(), buf, r, before, caughtUp(endpoints, r), loss, rates);
        } finally {
            for (ListenerReplica r : fleet) r.close();
        }
    }

    /**
     * The fleet as a user starts it: {@code scripts/fleet up --backend kernel --replicas K} in its own run folder (every
     * JVM in its own session, the coordinator planning and handing CPUs over, JSON-lines sinks), the buffer's settings
     * as JVM options; the storm starts as soon as {@code up} returns, while the first plan may still be in flight.
     */
    private void managed(Path storm, Buffer buf, Map<String, List<Double>> loss, Map<String, List<Double>> rates)
            throws IOException, InterruptedException {
        Path dir = settings.runDir().resolve("managed-" + buf.label());
        Path script = repo.resolve("scripts/fleet");
        List<java.net.URI> endpoints = new ArrayList<>();
        for (int i = 0; i < managedReplicas; i++) endpoints.add(java.net.URI.create("http://127.0.0.1:" + (8082 + i) + "/actuator/prometheus"));
        try {
            fleetScript(script, dir, buf, "up", "--backend", "kernel", "--replicas", Integer.toString(managedReplicas), "--no-build");
            ReplicaTotals before = ReplicaTotals.read(settings.http(), endpoints);
            StormTool.Result r = StormTool.run(storm, seconds, workers, settings.runDir());
            account("managed k=" + managedReplicas, "storm.managed.k" + managedReplicas + "." + buf.label(), buf, r, before,
                    caughtUp(endpoints, r), loss, rates);
        } finally {
            fleetScript(script, dir, buf, "down");
        }
    }

    private void fleetScript(Path script, Path dir, Buffer buf, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                Files.createDirectories(settings.runDir()).resolve("managed-fleet.log").toFile()));
        pb.environment().put("TSFLEET_RUN_DIR", dir.toString());
        pb.environment().put("TSFLEET_JAVA_OPTS", buf.javaOpts());
        Process p = pb.start();
        if (!p.waitFor(400, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("scripts/fleet " + String.join(" ", args) + " did not finish in 400 s; see " + settings.runDir().resolve("managed-fleet.log"));
        }
        if (p.exitValue() != 0) throw new IOException("scripts/fleet " + String.join(" ", args) + " failed; see " + settings.runDir().resolve("managed-fleet.log"));
    }

    /**
     * The replicas' totals once they have caught up with the storm: when a second passes in which their records and
     * losses grew by less than 1 % of a second of the storm (foreign exits never stop, so there is no true quiet), at
     * most 60 s after it.
     */
    private ReplicaTotals caughtUp(List<java.net.URI> endpoints, StormTool.Result storm) throws IOException, InterruptedException {
        ReplicaTotals last = ReplicaTotals.read(settings.http(), endpoints);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            ReplicaTotals now = ReplicaTotals.read(settings.http(), endpoints);
            ReplicaTotals d = now.minus(last);
            last = now;
            if (d.records() + d.lost() < Math.max(10, storm.ratePerSecond() / 100)) return now;
        }
        return last;
    }

    private void account(String who, String key, Buffer buf, StormTool.Result r, ReplicaTotals before, ReplicaTotals after,
                         Map<String, List<Double>> loss, Map<String, List<Double>> rates) {
        ReplicaTotals d = after.minus(before);
        double pct = d.records() + d.lost() == 0 ? 0 : 100.0 * d.lost() / (d.records() + d.lost());
        out.printf(Locale.ROOT, "#   %-11s %-20s storm %,d exits (%,.0f/s): records %,.0f, lost %,.0f, ENOBUFS episodes %,.0f (all exits on the CPUs, %,d expected from the storm) -> loss %.2f%%%n",
                who, buf.label(), r.exits(), r.ratePerSecond(), d.records(), d.lost(), d.enobufs(), r.expectedEvents(), pct);
        loss.computeIfAbsent(key, x -> new ArrayList<>()).add(pct);
        rates.computeIfAbsent(key, x -> new ArrayList<>()).add(r.ratePerSecond());
    }

    /** Maps an index range {@code a-b} of the possible CPU array to the CPUs themselves, as a cpulist. */
    private static String mapRange(String range, int[] cpus) {
        String[] p = range.split("-");
        int from = Integer.parseInt(p[0]);
        int to = p.length == 1 ? from : Integer.parseInt(p[1]);
        CpuSet.Builder b = CpuSet.builder();
        for (int i = from; i <= to; i++) b.add(cpus[i]);
        return b.build().toCpulist();
    }

    /** Waits until the process has a NETLINK_GENERIC socket (pylisten registers right after binding it). */
    private static void awaitNetlinkSocket(long pid) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(Path.of("/proc/net/netlink"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].equals("16") && f[2].equals(Long.toString(pid))) {
                    Thread.sleep(300);                       // the family lookup and REGISTER follow within microseconds
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("the plain listener (pid " + pid + ") opened no netlink socket within 20 s");
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        for (int i = lines.size() - 1; i >= 0; i--) if (lines.get(i).startsWith("{")) return lines.get(i);
        throw new IOException("no JSON result in " + log + ": " + lines);
    }

    private static String sysctl(String key) {
        try {
            return String.join(" ", Files.readAllLines(Path.of("/proc/sys", key))).trim();   // readString sees a short read on /proc/sys
        } catch (IOException e) {
            return "?";
        }
    }
}
