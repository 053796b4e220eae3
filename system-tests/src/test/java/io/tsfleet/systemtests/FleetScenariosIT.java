package io.tsfleet.systemtests;

import io.tsfleet.testing.Http;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet's promises end to end, on one fleet that the scenarios take through its life in order (starting a fleet
 * costs half a minute or more on two cores, so the scenarios share it). After each scenario the sequence oracle
 * compares what the emulator sequenced in the scenario's window with what the replicas' sinks hold. Every scenario
 * prints its measured figures ({@code [name] ...}); the last run's figures are in {@code docs/reliability.md}.
 *
 * <p>The replicas' sinks are capped at {@value #SINK_CAP} records/s with small buffers. The scenarios run at
 * {@value #BASE_RATE} exits/s per CPU (a few percent of the cap); the hot-spot scenario raises the base rate to
 * {@value #HOT_BASE_RATE} and makes 8 CPUs ten times hotter, which takes their owner well past its cap, while the
 * whole fleet could carry the load if it were spread.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetScenariosIT {
    private static final Logger LOG = LoggerFactory.getLogger("io.tsfleet.systemtests.scenario");
    static final int CPUS = 64;
    static final double BASE_RATE = 5;
    /**
     * 56 CPUs at 20/s and 8 at 200/s: 2 720 records/s, 65 % of the three sinks' 4 200/s, within the planner's 70 %
     * headroom once spread, while the owner of the hot CPUs gets about 2 000/s against its cap of 1 400. (At 28/s the
     * fleet had 3 808/s, 91 % of the caps: beyond its headroom the coordinator asked for 4-5 replicas, and only a
     * near-perfect split of the hot CPUs kept every replica under its cap.)
     */
    static final double HOT_BASE_RATE = 20;
    static final int SINK_CAP = 1400;
    static final Duration STEADY = Duration.ofSeconds(Long.getLong("tsfleet.it.steady-seconds", 60));
    static final Duration LEASE = Duration.ofSeconds(6);

    private Fleet fleet;

    @BeforeAll
    void startFleet() {
        long t0 = System.nanoTime();
        fleet = new Fleet(new Fleet.Settings(CPUS, BASE_RATE, LEASE, Map.of(
                "tsfleet.listener.sink-options.max-records-per-second", String.valueOf(SINK_CAP),
                "tsfleet.listener.sink-queue", "128KB",
                "tsfleet.listener.receive-buffer", "16KB"))).start(3);
        LOG.info("fleet started in {} ms", millisSince(t0));
    }

    @AfterAll
    void stopFleet() {
        if (fleet != null) fleet.close();
    }

    // ------------------------------------------------------------------ 1. steady state

    @Test
    @Order(1)
    void steadyStateFullCoverageNoLossNoDuplicates() {
        long t0 = System.nanoTime();
        awaitCoverage(Duration.ofSeconds(30));
        LOG.info("[steady] full coverage {} ms after the replicas were up", millisSince(t0));
        SequenceOracle.Verdict v = window("steady", () -> sleep(STEADY));
        assertThat(v.expected()).as("exits in the window").isGreaterThan((long) (CPUS * BASE_RATE * STEADY.toSeconds() * 0.5));
        assertThat(v.missing()).as(() -> lossReport(v)).isZero();
        assertThat(v.duplicates()).as("duplicate records").isZero();
    }

    // ------------------------------------------------------------------ 2. manual reassignment

    @Test
    @Order(2)
    void manualReassignmentThroughTheAdminApiLosesAndDuplicatesNothing() {
        String target = "replica-1";
        String cpus = "40-47";
        SequenceOracle.Verdict v = window("manual", () -> {
            long t0 = System.nanoTime();
            Http.ok(Http.put(fleet.coordinatorUrl() + "/api/v1/replicas/" + target + "/mask", Fleet.ADMIN_TOKEN, Map.of("cpus", cpus)));
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(250)).until(() -> {
                Map<String, String> owned = ownedCpus();
                return ownersOf(owned, cpus).equals(Set.of(target)) && owned.get(target).equals(cpus);
            });
            LOG.info("[manual] {} owns exactly {} after {} ms", target, cpus, millisSince(t0));
            sleep(Duration.ofSeconds(3));
        });
        Http.ok(deleteMask(target));
        assertThat(v.missing()).as(() -> lossReport(v)).isZero();
        assertThat(v.duplicates()).as("duplicate records").isZero();
    }

    // ------------------------------------------------------------------ 3. hot spot

    @Test
    @Order(3)
    void hotSpotOverflowIsStoppedByARebalanceAndEveryLossIsCounted() {
        awaitStableAssignment();
        String owner = "replica-2";
        CpuSet hot = first(cpuSet(ownedCpus().get(owner)), 8);
        double lostBefore = totalLost();
        double droppedBefore = brokerOverflowDrops();
        // the overflow as the broker sees it (events dropped at a full or congested queue), and the losses as the
        // replicas count them (they count a gap when they read past it, so their count trails their backlog)
        long[] onset = {0};
        long[] lastDrop = {0};
        long[] lastCounted = {0};
        java.time.Instant[] hotSpotAt = {null};
        long[] t0 = {0};
        SequenceOracle.Verdict v = window("hotspot", () -> {
            t0[0] = System.nanoTime();
            hotSpotAt[0] = java.time.Instant.now();
            fleet.workload(fleet.emulatorUrlNow(), Map.of("baseRate", HOT_BASE_RATE, "hotCpus", hot.toCpulist(), "hotFactor", 10.0));
            double seenDropped = droppedBefore;
            double seenLost = lostBefore;
            long deadline = t0[0] + Duration.ofSeconds(45).toNanos();
            while (System.nanoTime() < deadline) {
                double dropped = brokerOverflowDrops();
                double lost = totalLost();
                long now = System.nanoTime();
                boolean changed = dropped > seenDropped || lost > seenLost;
                if (dropped > seenDropped) {
                    if (onset[0] == 0) onset[0] = now;
                    lastDrop[0] = now;
                    seenDropped = dropped;
                }
                if (lost > seenLost) {
                    lastCounted[0] = now;
                    seenLost = lost;
                }
                if (changed) {
                    LOG.info("[hotspot] +{} ms: dropped by the broker {}, counted by the replicas {}", millisSince(t0[0]),
                            dropped - droppedBefore, lost - lostBefore);
                }
                if (onset[0] != 0 && now - Math.max(lastDrop[0], lastCounted[0]) > Duration.ofSeconds(8).toNanos()) break;
                sleep(Duration.ofMillis(500));
            }
            LOG.info("[hotspot] hot CPUs {} of {}: overflow began {} ms after the hot spot and stopped {} ms after its onset "
                    + "(the replicas counted the last loss {} ms after the onset); owners now {}", hot, owner,
                    onset[0] == 0 ? -1 : (onset[0] - t0[0]) / 1_000_000, onset[0] == 0 ? -1 : (lastDrop[0] - onset[0]) / 1_000_000,
                    onset[0] == 0 ? -1 : (lastCounted[0] - onset[0]) / 1_000_000, ownedCpus());
            awaitStableAssignment(); // no handover cut in half by the end of the window
        });
        double counted = totalLost() - lostBefore;
        double dropped = brokerOverflowDrops() - droppedBefore;
        LOG.info("[hotspot] oracle {} ; losses counted by the replicas {}, events dropped by the broker {}", v, counted, dropped);
        logAuditSince("hotspot", hotSpotAt[0]);
        fleet.workload(fleet.emulatorUrlNow(), Map.of("baseRate", BASE_RATE, "hotCpus", ""));
        assertThat(onset[0]).as("the hot spot made its owner overflow").isPositive();
        assertThat(Duration.ofNanos(lastDrop[0] - onset[0])).as("overflow stopped by the rebalance within 10 s of its onset")
                .isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(v.missingByCpu().keySet()).as("losses only on the overflowing CPUs").allMatch(hot::contains);
        assertThat(counted).as("every loss counted by the replicas").isEqualTo((double) v.missing());
        assertThat(ownersOf(ownedCpus(), hot.toCpulist()).size()).as("the hot CPUs were spread").isGreaterThan(1);
    }

    // ------------------------------------------------------------------ 4. scale out and in

    @Test
    @Order(4)
    void scaleOutAndGracefulScaleInLoseNothing() {
        SequenceOracle.Verdict v = window("scale", () -> {
            long t0 = System.nanoTime();
            fleet.startReplica("replica-4");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !cpuSet(ownedCpus().getOrDefault("replica-4", "")).isEmpty());
            LOG.info("[scale] replica-4 owns {} {} ms after its start", ownedCpus().get("replica-4"), millisSince(t0));
            long t1 = System.nanoTime();
            fleet.stopGracefully("replica-1", Duration.ofSeconds(60));
            LOG.info("[scale] replica-1 exited {} ms after SIGTERM; owners now {}", millisSince(t1), ownedCpus());
            awaitCoverage(Duration.ofSeconds(10));
        });
        assertThat(v.missing()).as(() -> lossReport(v)).isZero();
        // Both moves are planned handovers (PREPARE, MAKE, BREAK with the fence), like the manual move of scenario 2:
        // the old owner holds back from PREPARE on and writes only what lies below the new owner's first sequence
        // number, so no record can reach two sinks. The only ways to a duplicate are a handover that times out
        // (ABORT rolled back after 30 s, or a drain that ends before its releases) or a holdback that overflows (8 192
        // records per CPU, 65 536 per replica); at 5 exits/s per CPU a phase of even 30 s holds 150 records, and the
        // recorded runs (3 626 and 3 730 records) had none. So any duplicate here is a handover that went wrong.
        assertThat(v.duplicates()).as("duplicate records").isZero();
    }

    // ------------------------------------------------------------------ 5. replica crash

    @Test
    @Order(5)
    void replicaCrashIsCoveredWithinTheLeaseAndItsLossIsConfinedAndBounded() {
        awaitStableAssignment();
        String victim = "replica-2";
        CpuSet victimCpus = cpuSet(ownedCpus().get(victim));
        long[] uncoveredFor = {0};
        SequenceOracle.Verdict v = window("crash", () -> {
            long t0 = System.nanoTime();
            fleet.kill(victim);
            await().atMost(LEASE.plusSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> uncoveredAtBroker() == 0);
            uncoveredFor[0] = millisSince(t0);
            LOG.info("[crash] {} killed (-9), owned {}: all CPUs covered again after {} ms (lease {} ms)", victim, victimCpus,
                    uncoveredFor[0], LEASE.toMillis());
            sleep(Duration.ofSeconds(3));
        });
        long bound = (long) (victimCpus.size() * BASE_RATE * (LEASE.toSeconds() + 2)) + 64;
        LOG.info("[crash] oracle {} ; bound on the loss of the victim's CPUs {}", v, bound);
        assertThat(Duration.ofMillis(uncoveredFor[0])).as("covered within the lease plus a second")
                .isLessThanOrEqualTo(LEASE.plusSeconds(1));
        assertThat(v.missingByCpu().keySet()).as("loss only on the crashed replica's CPUs").allMatch(victimCpus::contains);
        assertThat(v.missing()).as("loss bounded by the detection window").isLessThanOrEqualTo(bound);
        assertThat(v.duplicates()).isZero();
    }

    // ------------------------------------------------------------------ 6. coordinator crash and restart

    @Test
    @Order(6)
    void coordinatorCrashAndRestartKeepsReplicasWorkingWithoutAReshuffle() {
        Http.ok(Http.post(fleet.coordinatorUrl() + "/api/v1/rebalance", Fleet.ADMIN_TOKEN, null)); // start balanced
        awaitStableAssignment();
        Map<String, String> before = ownedCpus();
        JsonNode ownersBefore = assignment().get("owners");
        long generationBefore = generation();
        JsonNode[] recovered = new JsonNode[1];
        Map<String, String>[] afterRestart = new Map[1];
        SequenceOracle.Verdict v = window("coordinator", () -> {
            fleet.killCoordinator();
            sleep(LEASE.plusSeconds(2)); // longer than a lease: the replicas do not depend on the coordinator
            assertThat(ownedCpus()).as("replicas keep their masks while the coordinator is down").isEqualTo(before);
            long t0 = System.nanoTime();
            fleet.startCoordinatorAgain();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> Http.get(fleet.coordinatorUrl() + "/actuator/health", null).status() == 200);
            recovered[0] = assignment();
            LOG.info("[coordinator] back {} ms after the restart with generation {}", millisSince(t0), recovered[0].get("generation").asLong());
            sleep(Duration.ofSeconds(2));
            afterRestart[0] = ownedCpus();
            // the restarted coordinator takes over the persisted assignment with the persisted loads: past its load
            // warm-up (5 s here) it must not plan a reshuffle of its own; the window closes once the assignment is
            // quiet, so that a handover, if one started, would not be cut in half by it
            sleep(COORDINATOR_LOAD_WARMUP.plusSeconds(5));
            awaitStableAssignment();
        });
        Map<String, String> onceQuiet = ownedCpus();
        double moved = coordinatorMetric("tsfleet_coordinator_cpus_moved_total");
        double completed = coordinatorMetric("tsfleet_coordinator_handovers_completed_total");
        LOG.info("[coordinator] generation {} -> {}; masks before {}, 2 s after the restart {}, once quiet {}; CPUs moved since the "
                + "restart {} (handovers completed {})", generationBefore, generation(), before, afterRestart[0], onceQuiet, moved, completed);
        assertThat(v.missing()).as(() -> lossReport(v)).isZero();
        assertThat(v.duplicates()).isZero();
        assertThat(recovered[0].get("owners")).as("the restarted coordinator recovered the assignment").isEqualTo(ownersBefore);
        assertThat(recovered[0].get("generation").asLong()).as("the generation is recovered, not reset").isGreaterThanOrEqualTo(generationBefore);
        assertThat(afterRestart[0]).as("no reshuffle after the restart").isEqualTo(before);
        assertThat(moved).as("CPUs the restarted coordinator moved (its counter starts at the restart)").isZero();
        assertThat(onceQuiet).as("masks past the restarted coordinator's load warm-up").isEqualTo(before);
    }

    /** The restarted coordinator's load warm-up ({@code policy.load-warmup} in {@link Fleet}). */
    private static final Duration COORDINATOR_LOAD_WARMUP = Duration.ofSeconds(5);

    /** A metric of the coordinator, summed over its label sets (Prometheus text format). */
    private double coordinatorMetric(String name) {
        String text = Http.get(fleet.coordinatorUrl() + "/actuator/prometheus", null).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return sum;
    }

    // ------------------------------------------------------------------ 7. emulator restart

    @Test
    @Order(7)
    void emulatorRestartReplicasReRegisterWithinFiveSecondsAndTheGapIsCounted() {
        awaitStableAssignment();
        Map<String, Long> sinkLines = fleet.readSinks(Map.of(), line -> { });
        double unregisteredBefore = sumOverReplicas("tsfleet_listener_unregistered_seconds_total");
        fleet.killEmulator();
        sleep(Duration.ofSeconds(3));
        fleet.startEmulatorAgain();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> Http.get(fleet.emulatorUrlNow() + "/actuator/health", null).status() == 200);
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> uncoveredAtBroker() == 0);
        long reRegistered = millisSince(t0);
        double gap = sumOverReplicas("tsfleet_listener_unregistered_seconds_total") - unregisteredBefore;
        LOG.info("[emulator] every CPU registered again {} ms after the broker was back; unregistered CPU-seconds counted {}", reRegistered, gap);
        // the emulator's sequence counters restarted at 0: only lines written from now on belong to the new window
        SequenceOracle.Verdict v = window("emulator", () -> sleep(Duration.ofSeconds(10)), sinkLines);
        assertThat(Duration.ofMillis(reRegistered)).as("re-registered within 5 s").isLessThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(gap).as("the gap is counted").isPositive();
        assertThat(v.missing()).as(() -> lossReport(v)).isZero();
        assertThat(v.duplicates()).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private SequenceOracle.Verdict window(String name, Runnable scenario) {
        return window(name, scenario, Map.of());
    }

    /** Runs a scenario as a window of the sequence oracle and prints its figures. */
    private SequenceOracle.Verdict window(String name, Runnable scenario, Map<String, Long> skipSinkLines) {
        String emu = fleet.emulatorUrlNow();
        Map<Integer, Long> start = fleet.nextSeqs(emu);
        long t0 = System.nanoTime();
        scenario.run();
        emu = fleet.emulatorUrlNow();
        fleet.workload(emu, Map.of("baseRate", 0.0));
        awaitSinksDrained();
        Map<Integer, Long> end = fleet.nextSeqs(emu);
        SequenceOracle oracle = new SequenceOracle();
        start.forEach((cpu, from) -> oracle.expect(cpu, from, end.get(cpu)));
        fleet.readSinks(skipSinkLines, line -> {
            JsonNode r = Http.JSON.readTree(line);
            oracle.received(r.get("cpu").asInt(), r.get("seq").asLong());
        });
        fleet.workload(emu, Map.of("baseRate", BASE_RATE));
        SequenceOracle.Verdict v = oracle.verdict();
        LOG.info("[{}] window of {} ms: {}", name, millisSince(t0), v);
        return v;
    }

    /** The description of a zero-loss assertion: the verdict and, when records are missing, what the fleet logged about their CPUs. */
    private String lossReport(SequenceOracle.Verdict v) {
        if (v.missing() == 0) return "lost records: " + v;
        return "lost records: " + v + "; what the fleet logged about these CPUs (all logs in system-tests/target/fleet-logs):\n"
                + String.join("\n", fleet.linesAbout(v.missingByCpu().keySet(), 300));
    }

    /** Waits until the replicas' sinks have taken no record for two seconds: what was in flight has arrived. */
    private void awaitSinksDrained() {
        double[] last = {-1};
        long[] since = {System.nanoTime()};
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            double now = sumOverReplicas("tsfleet_listener_sink_records_total");
            if (now != last[0]) {
                last[0] = now;
                since[0] = System.nanoTime();
            }
            return System.nanoTime() - since[0] > Duration.ofSeconds(2).toNanos();
        });
    }

    /** Each live replica's owned CPUs, as it reports them ({@code GET /api/v1/cpus} of the replica). */
    private Map<String, String> ownedCpus() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String id : fleet.replicaIds()) {
            try {
                out.put(id, Http.ok(Http.get(fleet.replicaUrl(id) + "/api/v1/cpus", null)).get("owned").asString());
            } catch (RuntimeException | AssertionError down) {
                // a stopped replica owns nothing
            }
        }
        return out;
    }

    private static Set<String> ownersOf(Map<String, String> owned, String cpulist) {
        Set<String> owners = new HashSet<>();
        owned.forEach((id, cpus) -> {
            if (cpuSet(cpus).intersects(cpuSet(cpulist))) owners.add(id);
        });
        return owners;
    }

    /** Waits until no handover is in flight and the replicas' masks have not changed for a few seconds. */
    private void awaitStableAssignment() {
        AtomicReference<Map<String, String>> last = new AtomicReference<>(Map.of());
        long[] since = {System.nanoTime()};
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            Map<String, String> now = ownedCpus();
            JsonNode a = Http.ok(Http.get(fleet.coordinatorUrl() + "/api/v1/assignment", Fleet.ADMIN_TOKEN));
            boolean quiet = a.get("handovers").isEmpty() && a.get("releases").isEmpty() && a.get("uncoveredCpus").asString().isEmpty();
            if (!now.equals(last.getAndSet(now)) || !quiet) {
                since[0] = System.nanoTime();
            }
            return System.nanoTime() - since[0] > Duration.ofSeconds(4).toNanos();
        });
    }

    /** Prints the coordinator's audit events since {@code since}, oldest first, in ms after it: the scenario's timeline. */
    private void logAuditSince(String name, java.time.Instant since) {
        JsonNode events = Http.ok(Http.get(fleet.coordinatorUrl() + "/api/v1/audit?limit=200", Fleet.ADMIN_TOKEN));
        java.util.List<JsonNode> list = new java.util.ArrayList<>();
        events.forEach(list::add);
        java.util.Collections.reverse(list);
        for (JsonNode e : list) {
            java.time.Instant at = java.time.Instant.parse(e.get("time").asString());
            if (at.isBefore(since)) continue;
            LOG.info("[{}] +{} ms audit {} {} cpu {}: {}", name, Duration.between(since, at).toMillis(), e.get("type").asString(),
                    e.get("replica").isNull() ? "-" : e.get("replica").asString(), e.get("cpu").asInt(), e.get("message").asString());
        }
    }

    private long generation() {
        return assignment().get("generation").asLong();
    }

    private JsonNode assignment() {
        return Http.ok(Http.get(fleet.coordinatorUrl() + "/api/v1/assignment", Fleet.ADMIN_TOKEN));
    }

    private Http.Response deleteMask(String id) {
        return Http.delete(fleet.coordinatorUrl() + "/api/v1/replicas/" + id + "/mask", Fleet.ADMIN_TOKEN);
    }

    /** Exit events the broker dropped at a full or congested receive queue (not those refused by closed sockets). */
    private double brokerOverflowDrops() {
        String text = Http.get(fleet.emulatorUrlNow() + "/actuator/prometheus", null).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("tsfleet_broker_events_dropped_total{")
                    && (line.contains("reason=\"rcvbuf_full\"") || line.contains("reason=\"congested\""))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private double totalLost() {
        return sumOverReplicas("tsfleet_listener_records_lost_total");
    }

    private double sumOverReplicas(String metric) {
        double sum = 0;
        for (String id : fleet.replicaIds()) {
            try {
                sum += Fleet.metric(fleet.replicaUrl(id), metric);
            } catch (RuntimeException down) {
                // a stopped replica reports nothing more
            }
        }
        return sum;
    }

    /** Every possible CPU has a connected listener at the broker. */
    private void awaitCoverage(Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> uncoveredAtBroker() == 0);
    }

    private int uncoveredAtBroker() {
        CpuSet.Builder covered = CpuSet.builder();
        for (JsonNode l : Http.ok(Http.get(fleet.emulatorUrlNow() + "/api/v1/listeners", null))) {
            if (l.get("connected").asBoolean()) covered.addAll(cpuSet(l.get("cpus").asString()));
        }
        return CPUS - covered.build().size();
    }

    private static CpuSet first(CpuSet set, int n) {
        CpuSet.Builder b = CpuSet.builder();
        set.stream().limit(n).forEach(b::add);
        return b.build();
    }

    private static CpuSet cpuSet(String cpulist) {
        try {
            return CpuSet.parse(cpulist == null ? "" : cpulist);
        } catch (CpulistParseException e) {
            throw new AssertionError(e);
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
