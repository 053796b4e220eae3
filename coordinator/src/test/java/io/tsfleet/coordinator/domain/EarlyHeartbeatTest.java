package io.tsfleet.coordinator.domain;

import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.coordinator.domain.policy.PolicySettings;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expedited heartbeats (a replica heartbeats again soon while a handover step waits) must not hide an overflow: an
 * early heartbeat carries no loss because the loss of the interval was reported a moment ago, and that must not end
 * the replica's losing streak, or the overflow is never sustained and never planned for.
 */
class EarlyHeartbeatTest {
    private static final long STEP_MILLIS = 2000;
    private static final long EARLY_MILLIS = 200;
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final CoordinatorSettings settings = settings(CoordinatorSettings.defaults(CpuSet.range(0, 7)));
    private final Coordinator coordinator = new Coordinator(settings, new StickyBalancedAssignor(), new InMemoryAssignmentStore(), clock);
    private final Map<String, OverflowingReplica> replicas = new TreeMap<>();
    private final double[] rate = {10, 10, 10, 10, 10, 10, 10, 10};

    /** Heartbeats every 2 s, warm-up 4 s, overflow sustain 3 s, cooldown 15 s. */
    private static CoordinatorSettings settings(CoordinatorSettings d) {
        var p = d.policy();
        return new CoordinatorSettings(d.possibleCpus(), Duration.ofMillis(STEP_MILLIS), d.lease(), d.loadSmoothing(), d.planner(),
                new PolicySettings(p.imbalanceThreshold(), p.imbalanceSustain(), Duration.ofSeconds(3), Duration.ofSeconds(15),
                        Duration.ofSeconds(4)), d.reconciler(), d.scaling(), d.auditCapacity());
    }

    /** Regular heartbeats every 2 s; with {@code early}, replica a heartbeats again 200 ms after each (a handover step). */
    private void run(Duration d, boolean early) {
        for (long t = 0; t < d.toMillis(); t += STEP_MILLIS) {
            replicas.values().forEach(r -> r.beat());
            coordinator.tick();
            clock.advance(Duration.ofMillis(EARLY_MILLIS));
            if (early) replicas.get("a").earlyBeat();
            coordinator.tick();
            clock.advance(Duration.ofMillis(STEP_MILLIS - EARLY_MILLIS));
        }
    }

    private long overflowPlans() {
        return coordinator.audit(1000).stream().filter(e -> e.type().equals("plan") && e.message().startsWith("overflow")).count();
    }

    private void overflowOnA(boolean early) {
        replicas.put("a", new OverflowingReplica("a", 150, coordinator, rate));
        replicas.put("b", new OverflowingReplica("b", 1000, coordinator, rate));
        run(Duration.ofSeconds(30), false); // warm-up, the first full plan, its handovers
        OverflowingReplica a = replicas.get("a");
        assertThat(a.owned).hasSize(4);
        assertThat(coordinator.assignment().handovers()).isEmpty();
        int hot1 = a.owned.first();
        rate[hot1] = 100;
        rate[a.owned.higher(hot1)] = 100; // a: 220/s against a capacity of 150: it loses in every interval
        run(Duration.ofSeconds(12), early);
    }

    @Test
    void anOverflowIsPlannedForWithRegularHeartbeats() {
        overflowOnA(false);
        assertThat(overflowPlans()).isEqualTo(1);
    }

    @Test
    void earlyHeartbeatsWithoutLossDoNotEndTheLosingStreak() {
        overflowOnA(true);
        assertThat(overflowPlans()).as("the overflow was planned for although every loss was followed by an early heartbeat without")
                .isEqualTo(1);
    }
}
