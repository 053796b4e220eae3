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
 * A hot spot on an overflowing replica: the overflow plan must count the CPUs that are hot now with their current
 * rate, not with a 30 s average that has barely begun to follow the jump, so that one plan moves enough.
 */
class OverflowPlanTest {
    private static final long STEP_MILLIS = 500;
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final CoordinatorSettings settings = settings(CoordinatorSettings.defaults(CpuSet.range(0, 7)));
    private final Coordinator coordinator = new Coordinator(settings, new StickyBalancedAssignor(), new InMemoryAssignmentStore(), clock);
    private final Map<String, OverflowingReplica> replicas = new TreeMap<>();
    private final double[] rate = {10, 10, 10, 10, 10, 10, 10, 10};

    /** Heartbeats every 500 ms, warm-up 4 s, overflow sustain 1 s, cooldown 15 s: the system test's timing. */
    private static CoordinatorSettings settings(CoordinatorSettings d) {
        var p = d.policy();
        return new CoordinatorSettings(d.possibleCpus(), Duration.ofMillis(STEP_MILLIS), d.lease(), d.loadSmoothing(), d.planner(),
                new PolicySettings(p.imbalanceThreshold(), p.imbalanceSustain(), Duration.ofSeconds(1), Duration.ofSeconds(15),
                        Duration.ofSeconds(4)), d.reconciler(), d.scaling(), d.auditCapacity());
    }

    private void run(Duration d) {
        for (long t = 0; t < d.toMillis(); t += STEP_MILLIS) {
            replicas.values().forEach(OverflowingReplica::beat);
            coordinator.tick();
            clock.advance(Duration.ofMillis(STEP_MILLIS));
        }
    }

    private long overflowPlans() {
        return coordinator.audit(1000).stream().filter(e -> e.type().equals("plan") && e.message().startsWith("overflow")).count();
    }

    @Test
    void oneOverflowPlanMovesEveryCpuThatIsHotNowOffTheOverflowingReplica() {
        replicas.put("a", new OverflowingReplica("a", 150, coordinator, rate));
        replicas.put("b", new OverflowingReplica("b", 1000, coordinator, rate));
        run(Duration.ofSeconds(20)); // warm-up, the first full plan, its handovers
        OverflowingReplica a = replicas.get("a");
        OverflowingReplica b = replicas.get("b");
        assertThat(a.owned).hasSize(4);
        assertThat(b.owned).hasSize(4);
        assertThat(coordinator.assignment().handovers()).isEmpty();

        int hot1 = a.owned.first();
        int hot2 = a.owned.higher(hot1);
        rate[hot1] = 100;
        rate[hot2] = 100; // a: 220/s against a capacity of 150: it overflows
        run(Duration.ofSeconds(6));

        assertThat(overflowPlans()).as("the overflow was planned for").isEqualTo(1);
        assertThat(a.target.contains(hot1) || a.target.contains(hot2)).as("a hot CPU planned to stay on the overflowing replica "
                + "(it counted with its 30 s average)").isFalse();
        assertThat(a.load()).isLessThanOrEqualTo(a.capacity);
        run(Duration.ofSeconds(10));
        assertThat(overflowPlans()).as("one plan was enough").isEqualTo(1);
    }
}
