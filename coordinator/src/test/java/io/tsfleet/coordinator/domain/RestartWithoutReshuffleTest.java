package io.tsfleet.coordinator.domain;

import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A coordinator that takes over a persisted assignment does not move a CPU when the load is skewed but within what
 * the policy accepts: a FULL plan would rebalance it (the planner balances to 1.05, the policy acts above 1.10), so
 * the takeover must not plan from scratch, and it plans with the loads its predecessor persisted.
 */
class RestartWithoutReshuffleTest {
    private static final double HOT = 10.8, COOL = 9.2; // a 345.6/s, b 294.4/s: imbalance 1.08 of the mean

    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryAssignmentStore store = new InMemoryAssignmentStore();
    private final CoordinatorSettings settings = CoordinatorSettings.defaults(CpuSet.range(0, 63));

    private static AssignmentSnapshot persisted(boolean withLoads) {
        Map<Integer, Double> loads = new TreeMap<>();
        for (int c = 0; c < 64; c++) loads.put(c, c < 32 ? HOT : COOL);
        return new AssignmentSnapshot(40, "0-63", Map.of("a", "0-31", "b", "32-63"), Map.of("a", "0-31", "b", "32-63"),
                List.of(), List.of(), Map.of(), Set.of(), withLoads ? loads : Map.of());
    }

    /** A heartbeat with per-CPU rates around {@code mean}, off by up to 30 % (the noise of a few exits per second). */
    private static ReplicaHeartbeat heartbeat(String id, long generation, String owned, double mean, int second) {
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < 32; i++) rates.add(mean * (1 + 0.3 * Math.sin(second * 7 + i * 3)));
        return Heartbeats.local(id, "i" + id, generation, ReplicaHeartbeat.ACTIVE, owned, 0, rates,
                new ArrayList<>(Collections.nCopies(32, 0L)), 0, 0, 0, 0, Map.of(), "");
    }

    @Test
    void aTakeoverOfASkewedButAcceptableAssignmentMovesNothing() {
        store.save(persisted(true));
        Coordinator c = new Coordinator(settings, new StickyBalancedAssignor(), store, clock);
        assertThat(c.cpu(0).load()).as("the persisted load, before any heartbeat").isCloseTo(HOT, within(1e-9));
        assertThat(c.cpu(40).load()).isCloseTo(COOL, within(1e-9));

        for (int second = 1; second <= 300; second++) { // warm-up, several imbalance-sustain windows and load time constants
            clock.advance(Duration.ofSeconds(1));
            c.heartbeat("a", heartbeat("a", 40, "0-31", HOT, second));
            c.heartbeat("b", heartbeat("b", 40, "32-63", COOL, second));
            c.tick();
            assertThat(c.assignment().handovers()).as("second %d", second).isEmpty();
            assertThat(c.assignment().targets()).as("second %d", second).isEqualTo(Map.of("a", "0-31", "b", "32-63"));
        }
        assertThat(c.generation()).isEqualTo(40);
        assertThat(c.status().cpusMoved()).isZero();
        assertThat(c.status().rebalancesByTrigger().values().stream().mapToLong(Long::longValue).sum()).isZero();
    }

    @Test
    void theSnapshotCarriesTheSmoothedLoadsAndAnOldSnapshotWithoutThemStillLoads() {
        store.save(persisted(false));
        Coordinator c = new Coordinator(settings, new StickyBalancedAssignor(), store, clock);
        assertThat(c.cpu(0).load()).isZero();
        for (int second = 1; second <= 60; second++) {
            clock.advance(Duration.ofSeconds(1));
            c.heartbeat("a", heartbeat("a", 40, "0-31", HOT, second));
            c.heartbeat("b", heartbeat("b", 40, "32-63", COOL, second));
            c.tick();
        }
        c.setMask("a", "0-32"); // a new generation: persisted with the loads
        double load0 = c.cpu(0).load();
        assertThat(store.load().orElseThrow().loads()).hasSize(64).containsEntry(0, Math.round(load0 * 1000) / 1000.0);
        Coordinator next = new Coordinator(settings, new StickyBalancedAssignor(), store, clock);
        assertThat(next.cpu(0).load()).isCloseTo(load0, within(0.001));
    }
}
