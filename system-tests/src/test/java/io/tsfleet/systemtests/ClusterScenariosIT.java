package io.tsfleet.systemtests;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.systemtests.ClusterSequenceOracle.Space;
import io.tsfleet.testing.Http;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster fleet's promises end to end: three emulated nodes of different sizes (4, 8 and 12 CPUs), a coordinator
 * in cluster mode and three replicas without a fixed broker, taken through six scenarios in order (a fleet start
 * costs most of a minute on two cores, so they share it): steady state, a node joining, the node leaving, a node
 * rebooting, a replica crashing, and an admin move of a node's CPUs.
 *
 * <p>After each scenario the sequence oracle compares, per sequence space (node, boot id) and CPU, what each node's
 * emulator sequenced in the scenario's window with what the replicas' sinks hold (records carry {@code node} and
 * {@code boot_id}). Each scenario prints its figures ({@code [name] ...}); the last run's are in
 * {@code docs/reliability.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterScenariosIT {
    private static final Logger LOG = LoggerFactory.getLogger("io.tsfleet.systemtests.cluster");
    static final double BASE_RATE = 10;
    static final Duration LEASE = Duration.ofSeconds(5);
    /** Long enough that a killed emulator started again announces its new boot within it: a reboot, not a leave and a join. */
    static final Duration NODE_LEASE = Duration.ofSeconds(60);
    static final Duration STEADY = Duration.ofSeconds(Long.getLong("tsfleet.it.cluster-steady-seconds", 10));
    static final List<ClusterFleet.Node> NODES = List.of(
            new ClusterFleet.Node("node-a", 4), new ClusterFleet.Node("node-b", 8), new ClusterFleet.Node("node-c", 12));
    static final ClusterFleet.Node JOINING = new ClusterFleet.Node("node-d", 6);
    /** A slot covered again: the coordinator's tick (250 ms), a heartbeat (500 ms), a connection and its registration, with room for a loaded machine. */
    static final Duration COVERAGE_BOUND = Duration.ofSeconds(5);

    private ClusterFleet fleet;

    @BeforeAll
    void startFleet() {
        long t0 = System.nanoTime();
        fleet = new ClusterFleet(new ClusterFleet.Settings(BASE_RATE, LEASE, NODE_LEASE, Map.of()));
        long t1 = System.nanoTime();
        fleet.start(NODES, 3);
        LOG.info("[start] images ready in {} ms; the coordinator and nodes {}, then 3 replicas, started in {} ms", (t1 - t0) / 1_000_000,
                NODES, millisSince(t1));
    }

    @AfterAll
    void stopFleet() {
        if (fleet != null) fleet.close();
    }

    // ------------------------------------------------------------------ a. steady state

    @Test
    @Order(1)
    void steadyStateCoversEverySlotOfTheThreeNodesWithoutLossOrDuplicates() {
        long t0 = System.nanoTime();
        awaitCoverage(fleet.liveNodes(), Duration.ofSeconds(30));
        LOG.info("[steady] every slot of {} covered {} ms after the replicas were up; slots per replica {}", fleet.liveNodes(),
                millisSince(t0), ownedSlots());
        brokersDialled().forEach((replica, brokers) -> brokers.forEach((node, broker) ->
                assertThat(broker).as("the broker %s dials for %s (from the coordinator's directive)", replica, node).isEqualTo(node + ":7411")));
        ClusterSequenceOracle.Verdict v = window("steady", w -> sleep(STEADY));
        int slots = NODES.stream().mapToInt(ClusterFleet.Node::cpus).sum();
        assertThat(v.expected()).as("exits in the window").isGreaterThan((long) (slots * BASE_RATE * STEADY.toSeconds() * 0.5));
        for (ClusterFleet.Node n : NODES) assertThat(v.of(n.name()).expected()).as("exits of %s", n.name()).isPositive();
        assertThat(v.missing()).as(() -> lossReport(v)).isZero();
        assertThat(v.duplicates()).as("duplicate records").isZero();
    }

    // ------------------------------------------------------------------ b. a node joins

    @Test
    @Order(2)
    void aNodeThatJoinsHasItsSlotsCoveredWithinSecondsAndNoOtherNodeLoses() {
        awaitStableAssignment();
        long[] coveredAfter = {0};
        ClusterSequenceOracle.Verdict v = window("join", w -> {
            long t0 = System.nanoTime();
            fleet.startNode(JOINING);
            long healthy = System.nanoTime();
            // the new boot's sequences start at 0 (the emulated kernel numbers only exits someone listens to)
            w.beginBoot(JOINING.name(), fleet.bootId(JOINING.name()));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> listedNode(JOINING.name()) != null);
            long listed = System.nanoTime();
            awaitCoverage(List.of(JOINING.name()), Duration.ofSeconds(30));
            coveredAfter[0] = millisSince(listed);
            JsonNode node = listedNode(JOINING.name());
            LOG.info("[join] {} ({} CPUs) started in {} ms, listed by the coordinator {} ms after its emulator was healthy (joinedAt {}); "
                    + "all its slots covered at its broker {} ms after it was listed; slots per replica {}", JOINING.name(), JOINING.cpus(),
                    (healthy - t0) / 1_000_000, (listed - healthy) / 1_000_000, node.get("joinedAt").asString(), coveredAfter[0], ownedSlots());
            awaitStableAssignment();
        });
        assertThat(Duration.ofMillis(coveredAfter[0])).as("the joining node's slots covered within a few seconds").isLessThanOrEqualTo(COVERAGE_BOUND);
        assertThat(v.of(JOINING.name()).expected()).as("exits of the joining node").isPositive();
        assertThat(v.missing()).as(() -> lossReport(v)).isZero();
        assertThat(v.duplicates()).as("duplicate records").isZero();
    }

    // ------------------------------------------------------------------ c. a node leaves

    @Test
    @Order(3)
    void aNodeThatLeavesHasItsSlotsDroppedAndNothingIsCountedAsLoss() {
        awaitStableAssignment();
        String leaving = JOINING.name();
        double lostBefore = sumOverReplicas("tsfleet_listener_records_lost_total");
        double droppedBefore = sumOverReplicas("tsfleet_listener_records_dropped_with_node_total");
        double leftBefore = coordinatorMetric("tsfleet_coordinator_nodes_left_total");
        long[] unlisted = {0};
        long[] closed = {0};
        ClusterSequenceOracle.Verdict v = window("leave", w -> {
            sleep(Duration.ofSeconds(2));
            // the node's own window ends before it goes: what it sequenced until then must have reached the sinks
            w.end(leaving);
            long t0 = System.nanoTime();
            fleet.stopNode(leaving, Duration.ofSeconds(30));
            long stopped = millisSince(t0);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> listedNode(leaving) == null);
            unlisted[0] = millisSince(t0);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> ownedSlots().values().stream().noneMatch(nodes -> nodes.containsKey(leaving)));
            closed[0] = millisSince(t0);
            LOG.info("[leave] {} stopped (SIGTERM: its agent withdrew it) in {} ms; gone from the coordinator's nodes {} ms and from every "
                    + "replica {} ms after the SIGTERM; slots per replica {}", leaving, stopped, unlisted[0], closed[0], ownedSlots());
            awaitStableAssignment();
        });
        double lost = sumOverReplicas("tsfleet_listener_records_lost_total") - lostBefore;
        double dropped = sumOverReplicas("tsfleet_listener_records_dropped_with_node_total") - droppedBefore;
        double left = coordinatorMetric("tsfleet_coordinator_nodes_left_total") - leftBefore;
        LOG.info("[leave] oracle {}; counted by the replicas: lost {}, dropped with the node {}; nodes left (coordinator) {}", v, lost, dropped, left);
        assertThat(left).as("the coordinator dropped the node on its withdrawal").isEqualTo(1.0);
        assertThat(Duration.ofMillis(closed[0] - unlisted[0])).as("replicas close the node's connections once it is dropped")
                .isLessThanOrEqualTo(COVERAGE_BOUND);
        assertThat(lost).as("losses counted by the replicas").isZero();
        assertThat(v.missing()).as(() -> lossReport(v)).isZero();
        assertThat(v.duplicates()).as("duplicate records").isZero();
    }

    // ------------------------------------------------------------------ d. a node reboots

    @Test
    @Order(4)
    void aNodeThatRebootsRestartsItsSequencesWithoutLoss() {
        awaitStableAssignment();
        String rebooting = "node-c";
        String oldBoot = fleet.bootId(rebooting);
        double lostBefore = sumOverReplicas("tsfleet_listener_records_lost_total");
        double rebootsBefore = coordinatorMetric("tsfleet_coordinator_node_reboots_total");
        Map<String, Map<String, CpuSet>> before = ownedSlots();
        String[] newBoot = {null};
        long[] covered = {0};
        ClusterSequenceOracle.Verdict v = window("reboot", w -> {
            sleep(Duration.ofSeconds(2));
            // the old boot's last sequence numbers: its exits stop (as every task of a rebooting machine does), its
            // records reach the sinks, then the machine dies
            w.end(rebooting);
            long t0 = System.nanoTime();
            fleet.killNode(rebooting);
            sleep(Duration.ofSeconds(1));
            fleet.startNodeAgain(rebooting);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> Http.get(fleet.nodeUrl(rebooting) + "/actuator/health", null).status() == 200);
            long up = System.nanoTime();
            newBoot[0] = fleet.bootId(rebooting);
            w.beginBoot(rebooting, newBoot[0]);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> newBoot[0].equals(listedNode(rebooting).get("bootId").asString()));
            long announced = System.nanoTime();
            awaitCoverage(List.of(rebooting), Duration.ofSeconds(30));
            covered[0] = millisSince(up);
            LOG.info("[reboot] {} killed and started again: healthy {} ms after the kill, its new boot {} announced {} ms and every slot "
                    + "covered again {} ms after it was healthy (old boot {})", rebooting, (up - t0) / 1_000_000, newBoot[0],
                    (announced - up) / 1_000_000, covered[0], oldBoot);
            awaitStableAssignment();
        });
        double lost = sumOverReplicas("tsfleet_listener_records_lost_total") - lostBefore;
        double reboots = coordinatorMetric("tsfleet_coordinator_node_reboots_total") - rebootsBefore;
        Map<String, Map<String, CpuSet>> after = ownedSlots();
        LOG.info("[reboot] oracle {}; counted lost by the replicas {}; reboots seen by the coordinator {}; slots before {} after {}", v, lost,
                reboots, before, after);
        assertThat(newBoot[0]).as("a new boot id").isNotEqualTo(oldBoot);
        assertThat(reboots).as("the coordinator saw a reboot (not a leave and a join)").isEqualTo(1.0);
        assertThat(v.spaces().keySet()).as("two sequence spaces for the node").contains(new Space(rebooting, oldBoot), new Space(rebooting, newBoot[0]));
        assertThat(v.spaces().get(new Space(rebooting, oldBoot)).expected()).as("exits of the old boot").isPositive();
        assertThat(v.spaces().get(new Space(rebooting, newBoot[0])).expected()).as("exits of the new boot").isPositive();
        // the replicas dial the node by its name, which did not resolve while it was down (a failed lookup is kept 1 s)
        assertThat(Duration.ofMillis(covered[0])).as("covered again within seconds of the node's return").isLessThanOrEqualTo(COVERAGE_BOUND);
        assertThat(slotsOf(after, rebooting)).as("the rebooted node's slots keep their owners").isEqualTo(slotsOf(before, rebooting));
        assertThat(lost).as("losses counted by the replicas").isZero();
        assertThat(v.missing()).as(() -> lossReport(v)).isZero();
        assertThat(v.duplicates()).as("duplicate records").isZero();
    }

    // ------------------------------------------------------------------ e. a replica crashes

    @Test
    @Order(5)
    void aReplicaCrashIsCoveredWithinTheLeaseAndItsLossIsConfinedAndBounded() {
        awaitStableAssignment();
        String victim = "replica-2";
        Map<String, CpuSet> victimSlots = ownedSlots().get(victim);
        Set<String> victimKeys = slotKeys(victimSlots);
        double lostBefore = sumOverReplicas("tsfleet_listener_records_lost_total");
        long[] coveredAfter = {0};
        ClusterSequenceOracle.Verdict v = window("crash", w -> {
            long t0 = System.nanoTime();
            fleet.kill(victim);
            awaitCoverage(fleet.liveNodes(), LEASE.plusSeconds(20));
            coveredAfter[0] = millisSince(t0);
            LOG.info("[crash] {} killed (-9), held {} ({} slots): every slot covered again {} ms after the kill (lease {} ms); slots per "
                    + "replica {}", victim, victimSlots, victimKeys.size(), coveredAfter[0], LEASE.toMillis(), ownedSlots());
            awaitStableAssignment();
        });
        double counted = sumOverReplicas("tsfleet_listener_records_lost_total") - lostBefore;
        long bound = (long) (victimKeys.size() * BASE_RATE * (LEASE.toSeconds() + 2)) + 64;
        LOG.info("[crash] oracle {}; missing by slot {}; counted lost by the surviving replicas {}; bound {}", v, v.missingBySlot(), counted, bound);
        assertThat(Duration.ofMillis(coveredAfter[0])).as("covered within the lease plus two seconds").isLessThanOrEqualTo(LEASE.plusSeconds(2));
        assertThat(v.missingBySlot().keySet()).as("loss only on the crashed replica's slots").allMatch(victimKeys::contains);
        assertThat(v.missing()).as("loss bounded by the detection window").isLessThanOrEqualTo(bound);
        assertThat(v.duplicates()).as("duplicate records").isZero();
    }

    // ------------------------------------------------------------------ f. an admin move of a node's CPUs

    @Test
    @Order(6)
    void anAdminMoveOfANodesCpusIsMakeBeforeBreak() {
        awaitStableAssignment();
        String target = "replica-1";
        String node = "node-c";
        CpuSet cpus = cpuSet("4-11");
        double duplicatesBefore = sumOverReplicas("tsfleet_listener_duplicates_total");
        double lostBefore = sumOverReplicas("tsfleet_listener_records_lost_total");
        Map<String, Map<String, CpuSet>> before = ownedSlots();
        ClusterSequenceOracle.Verdict v = window("move", w -> {
            long t0 = System.nanoTime();
            JsonNode plan = Http.ok(Http.put(fleet.coordinatorUrl() + "/api/v1/replicas/" + target + "/mask", ContainerFleet.ADMIN_TOKEN,
                    Map.of("node", node, "cpus", cpus.toCpulist())));
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(250)).until(() -> {
                Map<String, Map<String, CpuSet>> owned = ownedSlots();
                return owned.get(target).equals(Map.of(node, cpus)) && ownersOf(owned, node, cpus).equals(Set.of(target));
            });
            LOG.info("[move] pin {}:{} to {} (plan moved {} slots): it owns exactly them {} ms later; slots before {} after {}", node, cpus,
                    target, plan.get("movedCpus").asInt(), millisSince(t0), before, ownedSlots());
            awaitStableAssignment();
        });
        Http.ok(Http.delete(fleet.coordinatorUrl() + "/api/v1/replicas/" + target + "/mask", ContainerFleet.ADMIN_TOKEN));
        double counted = sumOverReplicas("tsfleet_listener_duplicates_total") - duplicatesBefore;
        double lost = sumOverReplicas("tsfleet_listener_records_lost_total") - lostBefore;
        LOG.info("[move] oracle {}; duplicates counted by the replicas {}; lost counted {}", v, counted, lost);
        assertThat(v.missing()).as(() -> lossReport(v)).isZero();
        assertThat(lost).as("losses counted by the replicas").isZero();
        assertThat((double) v.duplicates()).as("duplicates only as counted handover races").isLessThanOrEqualTo(counted);
    }

    // ------------------------------------------------------------------ the window of a scenario

    /**
     * Where each sequence space (node, boot) of a scenario begins and ends. Every live node's current boot begins when
     * the window opens and ends when it closes; a scenario adds the boots that start in it and ends those of nodes
     * that go.
     */
    private final class Window {
        private final Map<Space, Map<Integer, Long>> from = new LinkedHashMap<>();
        private final Map<Space, Map<Integer, Long>> to = new LinkedHashMap<>();

        /** The node's current boot, from where its sequences stand now. */
        void begin(String node) {
            String boot = fleet.bootId(node);
            from.put(new Space(node, boot), fleet.nextSeqs(fleet.nodeUrl(node)));
        }

        /** A boot that starts in the window: its sequences start at 0. */
        void beginBoot(String node, String bootId) {
            from.put(new Space(node, bootId), Map.of());
        }

        /**
         * Ends the node's current boot in the window: stops its workload, waits until the replicas have taken no
         * record of it for two seconds, and reads where its sequences end.
         */
        void end(String node) {
            String url = fleet.nodeUrl(node);
            fleet.workload(url, Map.of("baseRate", 0.0));
            awaitQuiet(() -> sumOverReplicas("tsfleet_listener_node_records_total", "node=\"" + node + "\""));
            endNow(node);
        }

        /** Reads where the node's current boot's sequences stand: its end (the workload is stopped). */
        void endNow(String node) {
            Space s = new Space(node, fleet.bootId(node));
            if (!from.containsKey(s)) throw new IllegalStateException("the window has no beginning for " + s);
            to.put(s, fleet.nextSeqs(fleet.nodeUrl(node)));
        }

        ClusterSequenceOracle oracle() {
            ClusterSequenceOracle o = new ClusterSequenceOracle();
            from.forEach((s, start) -> {
                Map<Integer, Long> end = to.get(s);
                if (end == null) throw new IllegalStateException("the window never ended " + s);
                o.expect(s.node(), s.bootId(), start, end);
            });
            return o;
        }
    }

    /**
     * Runs a scenario as a window of the oracle: opens it on every live node, runs it, stops every live node's
     * workload, waits until the sinks are quiet, ends the open boots, reads every replica's sink (also of stopped and
     * killed ones), starts the workload again, and prints the verdict.
     */
    private ClusterSequenceOracle.Verdict window(String name, Consumer<Window> scenario) {
        Window w = new Window();
        fleet.liveNodes().forEach(w::begin);
        long t0 = System.nanoTime();
        scenario.accept(w);
        List<String> live = fleet.liveNodes();
        live.forEach(n -> fleet.workload(fleet.nodeUrl(n), Map.of("baseRate", 0.0)));
        awaitQuiet(() -> sumOverReplicas("tsfleet_listener_sink_records_total"));
        live.forEach(n -> {
            if (!w.to.containsKey(new Space(n, fleet.bootId(n)))) w.endNow(n);
        });
        ClusterSequenceOracle oracle = w.oracle();
        long[] lines = {0};
        fleet.readSinks(Map.of(), line -> {
            JsonNode r = Http.JSON.readTree(line);
            lines[0]++;
            oracle.received(text(r, "node"), text(r, "boot_id"), r.get("cpu").asInt(), r.get("seq").asLong());
        });
        live.forEach(n -> fleet.workload(fleet.nodeUrl(n), Map.of("baseRate", BASE_RATE)));
        ClusterSequenceOracle.Verdict v = oracle.verdict();
        LOG.info("[{}] window of {} ms ({} sink lines read): {}", name, millisSince(t0), lines[0], v);
        return v;
    }

    /** The description of a zero-loss assertion: the verdict and, when records are missing, what the fleet logged about their CPUs. */
    private String lossReport(ClusterSequenceOracle.Verdict v) {
        if (v.missing() == 0) return "lost records: " + v;
        Set<Integer> cpus = new HashSet<>();
        v.spaces().values().forEach(s -> cpus.addAll(s.missingByCpu().keySet()));
        return "lost records: " + v + "; by slot " + v.missingBySlot() + "; what the fleet logged about these CPUs (all logs in "
                + "system-tests/target/fleet-logs):\n" + String.join("\n", fleet.linesAbout(cpus, 300));
    }

    // ------------------------------------------------------------------ observations

    /** Waits until a counter has not changed for two seconds: what was in flight has arrived. */
    private static void awaitQuiet(java.util.function.DoubleSupplier counter) {
        double[] last = {-1};
        long[] since = {System.nanoTime()};
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            double now = counter.getAsDouble();
            if (now != last[0]) {
                last[0] = now;
                since[0] = System.nanoTime();
            }
            return System.nanoTime() - since[0] > Duration.ofSeconds(2).toNanos();
        });
    }

    /** Each live replica's slots, per node, as it reports them (its registered CPUs, {@code GET /api/v1/cpus}). */
    private Map<String, Map<String, CpuSet>> ownedSlots() {
        Map<String, Map<String, CpuSet>> out = new TreeMap<>();
        for (String id : fleet.replicaIds()) {
            JsonNode r;
            try {
                r = Http.ok(Http.get(fleet.replicaUrl(id) + "/api/v1/cpus", null));
            } catch (RuntimeException | AssertionError down) {
                continue; // a stopped replica owns nothing
            }
            Map<String, CpuSet> nodes = new TreeMap<>();
            for (JsonNode n : r.get("nodes")) {
                CpuSet owned = cpuSet(n.get("owned").asString());
                if (!owned.isEmpty()) nodes.put(n.get("node").asString(), owned);
            }
            out.put(id, nodes);
        }
        return out;
    }

    /** Each live replica's brokers, per node, as it reports them ({@code GET /api/v1/cpus}, {@code nodes[].broker}). */
    private Map<String, Map<String, String>> brokersDialled() {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (String id : fleet.replicaIds()) {
            Map<String, String> nodes = new TreeMap<>();
            for (JsonNode n : Http.ok(Http.get(fleet.replicaUrl(id) + "/api/v1/cpus", null)).get("nodes")) {
                nodes.put(n.get("node").asString(), text(n, "broker"));
            }
            out.put(id, nodes);
        }
        return out;
    }

    private static Set<String> ownersOf(Map<String, Map<String, CpuSet>> owned, String node, CpuSet cpus) {
        Set<String> owners = new HashSet<>();
        owned.forEach((id, nodes) -> {
            if (nodes.getOrDefault(node, CpuSet.EMPTY).intersects(cpus)) owners.add(id);
        });
        return owners;
    }

    /** Which replica owns each CPU of the node. */
    private static Map<Integer, String> slotsOf(Map<String, Map<String, CpuSet>> owned, String node) {
        Map<Integer, String> out = new TreeMap<>();
        owned.forEach((id, nodes) -> {
            CpuSet s = nodes.get(node);
            if (s != null) s.stream().forEach(cpu -> out.put(cpu, id));
        });
        return out;
    }

    private static Set<String> slotKeys(Map<String, CpuSet> slots) {
        Set<String> keys = new HashSet<>();
        slots.forEach((node, cpus) -> cpus.stream().forEach(cpu -> keys.add(node + ":" + cpu)));
        return keys;
    }

    /** The coordinator's entry for the node in {@code GET /api/v1/nodes}, or null. */
    private JsonNode listedNode(String name) {
        for (JsonNode n : Http.ok(Http.get(fleet.coordinatorUrl() + "/api/v1/nodes", ContainerFleet.ADMIN_TOKEN))) {
            if (n.get("name").asString().equals(name)) return n;
        }
        return null;
    }

    /** Waits until every CPU of these nodes has a connected listener at the node's own broker. */
    private void awaitCoverage(List<String> nodes, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> nodes.stream().allMatch(n -> uncoveredAtBroker(n) == 0));
    }

    private int uncoveredAtBroker(String node) {
        CpuSet.Builder covered = CpuSet.builder();
        for (JsonNode l : Http.ok(Http.get(fleet.nodeUrl(node) + "/api/v1/listeners", null))) {
            if (l.get("connected").asBoolean()) covered.addAll(cpuSet(l.get("cpus").asString()));
        }
        return fleet.node(node).cpus() - covered.build().size();
    }

    /** Waits until no handover is in flight, every slot is covered, and the replicas' slots have not changed for three seconds. */
    private void awaitStableAssignment() {
        AtomicReference<Map<String, Map<String, CpuSet>>> last = new AtomicReference<>(Map.of());
        long[] since = {System.nanoTime()};
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            Map<String, Map<String, CpuSet>> now = ownedSlots();
            JsonNode a = Http.ok(Http.get(fleet.coordinatorUrl() + "/api/v1/assignment", ContainerFleet.ADMIN_TOKEN));
            boolean quiet = a.get("handovers").isEmpty() && a.get("releases").isEmpty() && a.get("uncoveredCpus").asString().isEmpty();
            if (!now.equals(last.getAndSet(now)) || !quiet) since[0] = System.nanoTime();
            return System.nanoTime() - since[0] > Duration.ofSeconds(3).toNanos();
        });
    }

    private double coordinatorMetric(String name) {
        return ContainerFleet.metric(fleet.coordinatorUrl(), name);
    }

    private double sumOverReplicas(String metric) {
        return sumOverReplicas(metric, null);
    }

    /** A metric summed over the live replicas (and, with {@code label}, over their series that carry it, e.g. {@code node="node-a"}). */
    private double sumOverReplicas(String metric, String label) {
        double sum = 0;
        for (String id : fleet.replicaIds()) {
            try {
                sum += ContainerFleet.metric(fleet.replicaUrl(id), metric, label);
            } catch (RuntimeException down) {
                // a stopped replica reports nothing more
            }
        }
        return sum;
    }

    /** A string member of a record, null when it is null or absent. */
    private static String text(JsonNode record, String member) {
        JsonNode m = record.get(member);
        return m == null || m.isNull() ? null : m.asString();
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

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
