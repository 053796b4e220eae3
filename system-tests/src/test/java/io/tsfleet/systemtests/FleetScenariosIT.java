package io.tsfleet.systemtests;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet's promises end to end, on one fleet that the scenarios take through its life in order (starting a fleet
 * costs half a minute on two cores, so the scenarios share it). After each scenario the sequence oracle compares
 * what the emulator sent in the scenario's window with what the replicas' sinks hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetScenariosIT {
    private static final Logger LOG = LoggerFactory.getLogger("scenario");
    static final int CPUS = 64;
    static final double BASE_RATE = Double.parseDouble(System.getProperty("tsfleet.it.base-rate", "5"));
    static final Duration STEADY = Duration.ofSeconds(Long.getLong("tsfleet.it.steady-seconds", 60));
    static final Duration LEASE = Duration.ofSeconds(6);

    private Fleet fleet;

    @BeforeAll
    void startFleet() {
        long t0 = System.nanoTime();
        fleet = new Fleet(new Fleet.Settings(CPUS, BASE_RATE, LEASE, Map.of())).start(3);
        LOG.info("fleet started in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    void stopFleet() {
        if (fleet != null) fleet.close();
    }

    @Test
    @Order(1)
    void steadyStateFullCoverageNoLossNoDuplicates() {
        long t0 = System.nanoTime();
        awaitCoverage(Duration.ofSeconds(30));
        LOG.info("[steady] full coverage {} ms after the replicas were up", (System.nanoTime() - t0) / 1_000_000);
        SequenceOracle.Verdict v = window("steady", () -> sleep(STEADY));
        assertThat(v.expected()).as("exits in the window").isGreaterThan((long) (CPUS * BASE_RATE * STEADY.toSeconds() * 0.5));
        assertThat(v.missing()).as("lost records").isZero();
        assertThat(v.duplicates()).as("duplicate records").isZero();
    }

    @Test
    @Order(2)
    void manualReassignmentThroughTheAdminApiLosesAndDuplicatesNothing() {
        String target = "replica-1";
        String cpus = "40-47";
        SequenceOracle.Verdict v = window("manual", () -> {
            Http.ok(Http.put(fleet.coordinatorUrl() + "/api/v1/replicas/" + target + "/mask", Fleet.ADMIN_TOKEN, Map.of("cpus", cpus)));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> ownersOf(cpus).equals(Set.of(target)));
            sleep(Duration.ofSeconds(3));
        });
        assertThat(v.missing()).isZero();
        assertThat(v.duplicates()).isZero();
    }

    // ------------------------------------------------------------------ helpers

    /** Runs a scenario as a window of the sequence oracle and prints its figures. */
    private SequenceOracle.Verdict window(String name, Runnable scenario) {
        String emu = fleet.emulatorUrlNow();
        Map<Integer, Long> start = fleet.nextSeqs(emu);
        scenario.run();
        fleet.workload(emu, Map.of("baseRate", BASE_RATE, "running", false));
        sleep(Duration.ofSeconds(2)); // what is in flight reaches the sinks
        Map<Integer, Long> end = fleet.nextSeqs(emu);
        SequenceOracle oracle = new SequenceOracle();
        start.forEach((cpu, from) -> oracle.expect(cpu, from, end.get(cpu)));
        fleet.readSinks(line -> {
            JsonNode r = Http.JSON.readTree(line);
            oracle.received(r.get("cpu").asInt(), r.get("seq").asLong());
        });
        fleet.workload(emu, Map.of("baseRate", BASE_RATE, "running", true));
        SequenceOracle.Verdict v = oracle.verdict();
        LOG.info("[{}] {}", name, v);
        return v;
    }

    /** The owners of each CPU according to the broker: the CPUs' connected listeners, mapped to replicas. */
    private Set<String> ownersOf(String cpulist) {
        Set<String> owners = new HashSet<>();
        for (Map.Entry<String, String> e : ownedCpus().entrySet()) {
            if (intersects(e.getValue(), cpulist)) owners.add(e.getKey());
        }
        return owners;
    }

    /** Each replica's owned CPUs, as it reports them ({@code GET /api/v1/cpus} of the replica). */
    private Map<String, String> ownedCpus() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String id : fleet.replicaIds()) {
            try {
                JsonNode status = Http.ok(Http.get(fleet.replicaUrl(id) + "/api/v1/cpus", null));
                out.put(id, status.get("owned").asString());
            } catch (RuntimeException | AssertionError down) {
                // a stopped replica owns nothing
            }
        }
        return out;
    }

    /** Every possible CPU has a connected listener at the broker. */
    private void awaitCoverage(Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> uncoveredAtBroker() == 0);
    }

    private int uncoveredAtBroker() {
        Set<Integer> covered = new HashSet<>();
        JsonNode listeners = Http.ok(Http.get(fleet.emulatorUrlNow() + "/api/v1/listeners", null));
        for (JsonNode l : listeners) {
            if (!l.get("connected").asBoolean()) continue;
            try {
                io.tsfleet.protocol.cpu.CpuSet.parse(l.get("cpus").asString()).forEach(covered::add);
            } catch (io.tsfleet.protocol.cpu.CpulistParseException e) {
                throw new AssertionError(e);
            }
        }
        return CPUS - covered.size();
    }

    private static boolean intersects(String a, String b) {
        try {
            return io.tsfleet.protocol.cpu.CpuSet.parse(a).intersects(io.tsfleet.protocol.cpu.CpuSet.parse(b));
        } catch (io.tsfleet.protocol.cpu.CpulistParseException e) {
            throw new AssertionError(e);
        }
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
