package io.tsfleet.coordinator.domain;

import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.fleet.HeartbeatRefusal;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Heartbeats that must change nothing: a second process under a live id, one member too many, unissued generations. */
class HeartbeatRefusalTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryAssignmentStore store = new InMemoryAssignmentStore();

    private static CoordinatorSettings settings(int maxMembers) {
        CoordinatorSettings d = CoordinatorSettings.defaults(CpuSet.range(0, 7));
        return new CoordinatorSettings(d.possibleCpus(), d.heartbeatInterval(), d.lease(), d.loadSmoothing(), d.planner(), d.policy(),
                d.reconciler(), d.scaling(), d.auditCapacity(), maxMembers);
    }

    private Coordinator coordinator(int maxMembers) {
        return new Coordinator(settings(maxMembers), new StickyBalancedAssignor(), store, clock);
    }

    /** Lets time pass as the service does: a tick every second (a coordinator silent for half a lease counts as stalled). */
    private void pass(Coordinator c, Duration d) {
        for (long ms = d.toMillis(); ms > 0; ms -= 1000) {
            clock.advance(Duration.ofMillis(Math.min(1000, ms)));
            c.tick();
        }
    }

    @Test
    void aSecondIncarnationOfALiveReplicaIsRefusedUntilTheLeaseExpiresThenTheRestartedReplicaKeepsItsCpus() {
        Coordinator c = coordinator(8);
        ReplicaDirective d = c.heartbeat("a", Heartbeats.empty("a", "real", 0));
        c.heartbeat("a", Heartbeats.of("a", "real", d.generation(), "0-7", 10, Map.of(), ""));
        pass(c, Duration.ofSeconds(4));
        c.heartbeat("a", Heartbeats.of("a", "real", d.generation(), "0-7", 10, Map.of(), "")); // lease until 00:00:14
        long generation = c.generation();
        pass(c, Duration.ofSeconds(1));

        assertThatThrownBy(() -> c.heartbeat("a", Heartbeats.empty("a", "intruder", 0)))
                .isInstanceOf(CoordinatorException.Conflict.class)
                .hasMessageContaining("live with incarnation real").hasMessageContaining("expires at 2030-01-01T00:00:14Z");
        assertThat(c.replicas().getFirst().incarnation()).isEqualTo("real");
        assertThat(c.generation()).isEqualTo(generation);
        assertThat(c.status().refusedHeartbeats()).containsEntry(HeartbeatRefusal.INCARNATION_LIVE.label(), 1L);
        // the real replica is not disturbed: its next heartbeat is answered with its whole mask
        assertThat(c.heartbeat("a", Heartbeats.of("a", "real", d.generation(), "0-7", 10, Map.of(), "")).target(Heartbeats.NODE).targetCpus()).isEqualTo("0-7");

        // the real process dies (last heartbeat at 00:00:05); its restarted successor is refused until the lease runs
        // out, then takes the id's CPUs
        pass(c, Duration.ofSeconds(9));
        assertThatThrownBy(() -> c.heartbeat("a", Heartbeats.empty("a", "restarted", 0))).isInstanceOf(CoordinatorException.Conflict.class)
                .hasMessageContaining("expires at 2030-01-01T00:00:15Z");
        pass(c, Duration.ofSeconds(1));
        clock.advance(Duration.ofMillis(1)); // lease over, the tick has not removed the member yet
        ReplicaDirective restarted = c.heartbeat("a", Heartbeats.empty("a", "restarted", 0));
        assertThat(restarted.target(Heartbeats.NODE).targetCpus()).isEqualTo("0-7");
        assertThat(c.replicas().getFirst().incarnation()).isEqualTo("restarted");
    }

    @Test
    void aRestartedReplicaJoinsAfterTheTickExpiredItsPredecessor() {
        Coordinator c = coordinator(8);
        c.heartbeat("a", Heartbeats.empty("a", "old", 0));
        pass(c, Duration.ofSeconds(10));
        assertThatThrownBy(() -> c.heartbeat("a", Heartbeats.empty("a", "new", 0))).isInstanceOf(CoordinatorException.Conflict.class);
        pass(c, Duration.ofSeconds(1)); // its lease ran out at 00:00:10: a fleet-silent tick keeps it one lease more
        pass(c, Duration.ofSeconds(11));
        assertThat(c.replicas()).isEmpty();
        assertThat(c.heartbeat("a", Heartbeats.empty("a", "new", 0)).target(Heartbeats.NODE).targetCpus()).isEqualTo("0-7");
    }

    @Test
    void membersBeyondTheLimitAreRefusedAndCountedUntilOneLeaves() {
        Coordinator c = coordinator(3);
        for (String id : new String[] {"a", "b", "c"}) c.heartbeat(id, Heartbeats.empty(id, "i" + id, 0));
        long generation = c.generation();

        for (int i = 0; i < 100; i++) {
            String id = "flood-" + i;
            assertThatThrownBy(() -> c.heartbeat(id, Heartbeats.empty(id, "x", 0)))
                    .isInstanceOf(CoordinatorException.Conflict.class).hasMessageContaining("3 members, the limit");
        }
        assertThat(c.replicas()).extracting(r -> r.id()).containsExactly("a", "b", "c");
        assertThat(c.generation()).isEqualTo(generation);
        assertThat(c.status().refusedHeartbeats()).containsEntry(HeartbeatRefusal.MEMBER_LIMIT.label(), 100L);
        // known members keep heartbeating
        c.heartbeat("a", Heartbeats.empty("a", "ia", generation));

        pass(c, Duration.ofSeconds(6));
        c.heartbeat("a", Heartbeats.empty("a", "ia", c.generation()));
        c.heartbeat("b", Heartbeats.empty("b", "ib", c.generation()));
        pass(c, Duration.ofSeconds(5)); // c's lease ran out
        assertThat(c.heartbeat("d", Heartbeats.empty("d", "id", 0))).isNotNull();
        assertThat(c.replicas()).extracting(r -> r.id()).containsExactly("a", "b", "d");
    }

    @Test
    void aGenerationNeverIssuedIsRefusedAndTheMaximumIsInvalid() {
        Coordinator first = coordinator(8);
        ReplicaDirective d = first.heartbeat("a", Heartbeats.empty("a", "ia", 0));
        Coordinator c = coordinator(8); // recovered from the store: it knows every generation it handed out
        long generation = c.generation();
        assertThat(generation).isEqualTo(d.generation());

        assertThatThrownBy(() -> c.heartbeat("a", Heartbeats.empty("a", "ia", generation + 1)))
                .isInstanceOf(CoordinatorException.Conflict.class).hasMessageContaining("never issued");
        assertThatThrownBy(() -> c.heartbeat("b", Heartbeats.empty("b", "ib", 1_000_000)))
                .isInstanceOf(CoordinatorException.Conflict.class).hasMessageContaining("never issued");
        assertThatThrownBy(() -> c.heartbeat("a", Heartbeats.empty("a", "ia", Long.MAX_VALUE)))
                .isInstanceOf(CoordinatorException.InvalidRequest.class).hasMessageContaining("beyond any generation");
        assertThatThrownBy(() -> c.heartbeat("a", Heartbeats.empty("a", "ia", -1)))
                .isInstanceOf(CoordinatorException.InvalidRequest.class);
        assertThat(c.generation()).isEqualTo(generation);
        assertThat(store.load().orElseThrow().generation()).isEqualTo(generation);
        assertThat(c.replicas()).extracting(r -> r.id()).containsExactly("a");
        assertThat(c.status().refusedHeartbeats()).containsEntry(HeartbeatRefusal.UNISSUED_GENERATION.label(), 2L);
        assertThat(c.heartbeat("a", Heartbeats.empty("a", "ia", generation)).generation()).isEqualTo(generation);
    }

    @Test
    void aCoordinatorThatLostItsStateAdoptsAJoiningReplicasGenerationButNotALaterOne() {
        Coordinator c = coordinator(8); // empty store: the replicas may know more than this coordinator
        ReplicaDirective d = c.heartbeat("a", Heartbeats.of("a", "ia", 500, "0-7", 10, Map.of(), ""));
        assertThat(d.generation()).isGreaterThan(500);
        assertThatThrownBy(() -> c.heartbeat("a", Heartbeats.of("a", "ia", d.generation() + 10, "0-7", 10, Map.of(), "")))
                .isInstanceOf(CoordinatorException.Conflict.class).hasMessageContaining("never issued");
        long max = io.tsfleet.coordinator.domain.fleet.Generations.MAX_REPORTED;
        assertThatThrownBy(() -> c.heartbeat("b", Heartbeats.empty("b", "ib", max + 1))).isInstanceOf(CoordinatorException.InvalidRequest.class);
        ReplicaDirective top = c.heartbeat("b", Heartbeats.empty("b", "ib", max));
        assertThat(top.generation()).isEqualTo(max + 1);
        c.setMask("b", "0-3"); // and it goes on issuing generations
        assertThat(c.generation()).isEqualTo(max + 2);
    }
}
