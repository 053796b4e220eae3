package io.tsfleet.systemtests;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet with every replica's sink {@code kafka:<topic>} to a real Apache Kafka broker (KRaft, {@link KafkaBroker}),
 * and the sequence oracle reading the topic back per (node, boot_id, CPU): the steady state loses and duplicates
 * nothing, a planned move (the admin API's mask) loses nothing and duplicates only what the replicas count as
 * duplicates, and an outage of the broker (its container paused) is survived: every record the emulator sequenced is
 * in the topic or counted as lost by the replicas. One small fleet (16 CPUs, 3 replicas) for the three scenarios, to
 * keep the class under two minutes.
 *
 * <p>The sink's options are given bare ({@code tsfleet.listener.sink-options.<option>}: they apply to every sink, and
 * the replicas have this one). The outage is made to push back: {@code producer.buffer.memory} of 64 KiB and a sink
 * queue of 128 KiB fill within a second of the pause, so the sink's writer blocks in {@code send} (its
 * {@code max.block.ms}, 60 s, outlasts the outage), the readers stop, and the emulator's broker overflows, counted.
 * Nothing fails at Kafka then; a record the producer gave up on would be sink loss, which the replicas count as lost
 * too (through {@code SinkOutcomes}), so the assertion "missing at most counted" holds for both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaFleetIT {
    private static final Logger LOG = LoggerFactory.getLogger("io.tsfleet.systemtests.kafka");
    static final String TOPIC = "tsfleet-exits";
    static final int PARTITIONS = 4;
    static final int CPUS = 16;
    static final double BASE_RATE = 20;
    static final Duration LEASE = Duration.ofSeconds(6);
    static final Duration STEADY = Duration.ofSeconds(6);
    /** Longer than the buffers between the emulated kernel and a blocked sink last at 20 exits/s per CPU (about 7 s). */
    static final Duration OUTAGE = Duration.ofSeconds(10);

    private Fleet fleet;
    private KafkaBroker kafka;
    private KafkaTopicRecords topic;

    @BeforeAll
    void startFleetAndBroker() throws Exception {
        long t0 = System.nanoTime();
        Map<String, String> sink = new LinkedHashMap<>();
        sink.put("tsfleet.listener.sink", "kafka:" + TOPIC);
        sink.put("tsfleet.listener.sink-options.bootstrap-servers", KafkaBroker.ALIAS + ":" + KafkaBroker.FLEET_PORT);
        sink.put("tsfleet.listener.sink-options.producer.buffer.memory", "65536");
        sink.put("tsfleet.listener.sink-options.close-timeout", "5s");
        sink.put("tsfleet.listener.sink-queue", "128KB");
        sink.put("tsfleet.listener.receive-buffer", "16KB");
        // five JVMs start on two cores, and a few hundred records/s need no optimising compiler (as in ClusterFleet)
        fleet = new Fleet(new Fleet.Settings(CPUS, BASE_RATE, LEASE, sink), "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        kafka = new KafkaBroker(fleet, fleet.network, PARTITIONS);
        CompletableFuture<Void> broker = CompletableFuture.runAsync(() -> {
            kafka.start();
            try {
                kafka.createTopic(TOPIC, PARTITIONS);
            } catch (Exception e) {
                throw new IllegalStateException("cannot create the topic " + TOPIC, e);
            }
        });
        fleet.start(3); // meanwhile; a record sent before the broker is up waits in its producer (max.block.ms)
        broker.join();
        LOG.info("kafka broker up with topic {} ({} partitions) {} ms after the start", TOPIC, PARTITIONS, millisSince(t0));
        topic = new KafkaTopicRecords(kafka.hostBootstrap(), TOPIC);
        LOG.info("fleet and broker started in {} ms", millisSince(t0));
    }

    @AfterAll
    void stop() {
        if (topic != null) topic.close();
        if (fleet != null) fleet.close();
        if (kafka != null) kafka.close();
    }

    // ------------------------------------------------------------------ 1. steady state

    @Test
    @Order(1)
    void steadyStateEveryRecordInTheTopicOnceAndInOrderPerCpu() {
        awaitCoverage(Duration.ofSeconds(30));
        Window w = window("steady", () -> FleetScenariosIT.sleep(STEADY));
        assertThat(w.verdict.expected()).as("exits in the window").isGreaterThan((long) (CPUS * BASE_RATE * STEADY.toSeconds() * 0.5));
        assertThat(w.verdict.missing()).as("lost records: " + w.verdict).isZero();
        assertThat(w.verdict.duplicates()).as("duplicate records").isZero();
        assertThat(w.outOfOrder).as("records of one (node, boot, CPU) from one replica out of sequence order in their partition").isZero();
        assertThat(topic.inconsistencies()).as("keys and headers that disagree with the record").isEmpty();
    }

    // ------------------------------------------------------------------ 2. planned move

    @Test
    @Order(2)
    void aPlannedMoveLosesNothingAndDuplicatesOnlyWhatTheReplicasCount() {
        String target = "replica-1";
        String cpus = "10-13";
        double duplicatesBefore = sumOverReplicas("tsfleet_listener_duplicates_total");
        Window w = window("move", () -> {
            long t0 = System.nanoTime();
            Http.ok(Http.put(fleet.coordinatorUrl() + "/api/v1/replicas/" + target + "/mask", Fleet.ADMIN_TOKEN, Map.of("cpus", cpus)));
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(250)).until(() -> {
                Map<String, String> owned = ownedCpus();
                return ownersOf(owned, cpus).equals(Set.of(target)) && owned.get(target).equals(cpus);
            });
            LOG.info("[move] {} owns exactly {} after {} ms", target, cpus, millisSince(t0));
            FleetScenariosIT.sleep(Duration.ofSeconds(2));
        });
        Http.ok(Http.delete(fleet.coordinatorUrl() + "/api/v1/replicas/" + target + "/mask", Fleet.ADMIN_TOKEN));
        double counted = sumOverReplicas("tsfleet_listener_duplicates_total") - duplicatesBefore;
        LOG.info("[move] duplicates in the topic {}, counted by the replicas {}", w.verdict.duplicates(), counted);
        assertThat(w.verdict.missing()).as("lost records: " + w.verdict).isZero();
        assertThat((double) w.verdict.duplicates()).as("duplicates in the topic beyond those the replicas counted").isLessThanOrEqualTo(counted);
        assertThat(topic.inconsistencies()).isEmpty();
    }

    // ------------------------------------------------------------------ 3. broker outage

    @Test
    @Order(3)
    void aBrokerOutageIsSurvivedAndEveryRecordIsInTheTopicOrCountedAsLost() {
        awaitStableAssignment();
        double lostBefore = sumOverReplicas("tsfleet_listener_records_lost_total");
        double duplicatesBefore = sumOverReplicas("tsfleet_listener_duplicates_total");
        double backpressureBefore = sumOverReplicas("tsfleet_listener_sink_backpressure_seconds_total");
        long[] recoveredAfter = {0};
        Window w = window("outage", () -> {
            FleetScenariosIT.sleep(Duration.ofSeconds(2));
            kafka.pause();
            LOG.info("[outage] kafka paused for {} ms", OUTAGE.toMillis());
            FleetScenariosIT.sleep(OUTAGE);
            kafka.unpause();
            long t0 = System.nanoTime();
            double before = sumOverReplicas("tsfleet_listener_sink_records_total");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> sumOverReplicas("tsfleet_listener_sink_records_total") > before + CPUS * BASE_RATE);
            recoveredAfter[0] = millisSince(t0);
            LOG.info("[outage] the sinks write again {} ms after the broker came back", recoveredAfter[0]);
            FleetScenariosIT.sleep(Duration.ofSeconds(3));
            awaitStableAssignment(); // a move the overflow started is not cut in half by the end of the window
        });
        double lost = sumOverReplicas("tsfleet_listener_records_lost_total") - lostBefore;
        double duplicates = sumOverReplicas("tsfleet_listener_duplicates_total") - duplicatesBefore;
        double blocked = sumOverReplicas("tsfleet_listener_sink_backpressure_seconds_total") - backpressureBefore;
        LOG.info("[outage] oracle {} ; lost as the replicas count it {}, duplicates counted {}, readers blocked by the sink {} s",
                w.verdict, lost, duplicates, String.format("%.1f", blocked));
        assertThat(blocked).as("the outage pushed back into the readers (when-slow=block)").isPositive();
        assertThat(lost).as("the outage outlasted the buffers: the broker overflowed, counted").isPositive();
        assertThat((double) w.verdict.missing()).as("records neither in the topic nor counted as lost: " + w.verdict).isLessThanOrEqualTo(lost);
        assertThat((double) w.verdict.duplicates()).as("duplicates beyond those counted").isLessThanOrEqualTo(duplicates);
        assertThat(topic.inconsistencies()).isEmpty();
    }

    // ------------------------------------------------------------------ the oracle over the topic

    /**
     * What one window found: the verdict of the one (node, boot), and how often a CPU's record from one replica came
     * after a later one of the same CPU from the same replica in its partition. That must never happen (one idempotent
     * producer keeps a partition's order); during a move the old owner's last records and the new owner's first ones
     * come from two producers and may interleave (the steady window may hold the fleet's first load-based plan too), so
     * the order is checked per replica, and only the steady state asserts it.
     */
    private record Window(SequenceOracle.Verdict verdict, long outOfOrder) {
    }

    /**
     * Runs a scenario as a window: the emulator's sequence numbers before and after (its workload stopped at the end,
     * the topic read to its end), then the records of the topic in the window, per (node, boot_id) and CPU.
     */
    private Window window(String name, Runnable scenario) {
        String emu = fleet.emulatorUrlNow();
        Map<Integer, Long> start = fleet.nextSeqs(emu);
        long t0 = System.nanoTime();
        scenario.run();
        emu = fleet.emulatorUrlNow();
        fleet.workload(emu, Map.of("baseRate", 0.0));
        awaitSinksDrained();
        Map<Integer, Long> end = fleet.nextSeqs(emu);
        topic.catchUp(Duration.ofSeconds(2), Duration.ofSeconds(60));
        Map<String, SequenceOracle> byOrigin = new HashMap<>();
        Map<String, Long> lastSeqOfKey = new HashMap<>();
        long outOfOrder = 0;
        for (KafkaTopicRecords.Exit e : topic.exits()) {
            SequenceOracle oracle = byOrigin.computeIfAbsent(e.origin(), o -> {
                SequenceOracle x = new SequenceOracle();
                start.forEach((cpu, from) -> x.expect(cpu, from, end.get(cpu)));
                return x;
            });
            oracle.received(e.cpu(), e.seq());
            if (inWindow(e.seq(), start.get(e.cpu()), end.get(e.cpu()))) {
                // one replica's records of a CPU keep their order in the partition; around a handover (the fleet's
                // first load-based plan may fall in any window) the leaving and the acquiring replica are two
                // producers whose records of that CPU may interleave: a consumer orders by seq
                Long last = lastSeqOfKey.put(e.origin() + "/" + e.cpu() + "/" + e.replica(), e.seq());
                if (last != null && e.seq() <= last) outOfOrder++;
            }
        }
        fleet.workload(emu, Map.of("baseRate", BASE_RATE));
        // a static fleet: one emulated machine, one boot; records of any other origin would be a sink's mistake
        assertThat(byOrigin.keySet()).as("(node, boot_id) of the records in the topic").hasSize(1);
        assertThat(byOrigin.keySet().iterator().next()).as("the emulator names its node and boot").doesNotContain("null");
        SequenceOracle.Verdict v = byOrigin.values().iterator().next().verdict();
        LOG.info("[{}] window of {} ms: {} (topic holds {} records; out of order within a CPU {})", name, millisSince(t0), v,
                topic.exits().size(), outOfOrder);
        return new Window(v, outOfOrder);
    }

    private static boolean inWindow(long seq, long from, long to) {
        return ((seq - from) & 0xFFFF_FFFFL) < ((to - from) & 0xFFFF_FFFFL);
    }

    /** Waits until the replicas' sinks have taken no record for two seconds. */
    private void awaitSinksDrained() {
        double[] last = {-1};
        long[] since = {System.nanoTime()};
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            double now = sumOverReplicas("tsfleet_listener_sink_records_total");
            if (now != last[0]) {
                last[0] = now;
                since[0] = System.nanoTime();
            }
            return System.nanoTime() - since[0] > Duration.ofSeconds(2).toNanos();
        });
    }

    // ------------------------------------------------------------------ the fleet's state

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

    private void awaitStableAssignment() {
        AtomicReference<Map<String, String>> last = new AtomicReference<>(Map.of());
        long[] since = {System.nanoTime()};
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            Map<String, String> now = ownedCpus();
            JsonNode a = Http.ok(Http.get(fleet.coordinatorUrl() + "/api/v1/assignment", Fleet.ADMIN_TOKEN));
            boolean quiet = a.get("handovers").isEmpty() && a.get("releases").isEmpty() && a.get("uncoveredCpus").asString().isEmpty();
            if (!now.equals(last.getAndSet(now)) || !quiet) since[0] = System.nanoTime();
            return System.nanoTime() - since[0] > Duration.ofSeconds(3).toNanos();
        });
    }

    private void awaitCoverage(Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            Set<Integer> covered = new TreeSet<>();
            for (JsonNode l : Http.ok(Http.get(fleet.emulatorUrlNow() + "/api/v1/listeners", null))) {
                if (l.get("connected").asBoolean()) cpuSet(l.get("cpus").asString()).stream().forEach(covered::add);
            }
            return covered.size() == CPUS;
        });
    }

    private double sumOverReplicas(String metric) {
        double sum = 0;
        for (String id : fleet.replicaIds()) {
            try {
                sum += ContainerFleet.metric(fleet.replicaUrl(id), metric);
            } catch (RuntimeException down) {
                // a stopped replica reports nothing more
            }
        }
        return sum;
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
}
