package io.tsfleet.coordinator.service;

import io.tsfleet.coordinator.domain.CoordinatorSettings;
import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.coordinator.domain.StateNotPersistedException;
import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.kubernetes.Leadership;
import io.tsfleet.coordinator.kubernetes.MockApiServer;
import io.tsfleet.coordinator.persistence.ConfigMapAssignmentStore;
import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A leader that was deposed without noticing (its Lease renewals still seemed fine) finds out at its next write of the
 * ConfigMap: the write is refused (resourceVersion precondition), the request gets 503, the instance stops acting as
 * leader, gives up its Lease and stands again; the successor's assignment is untouched.
 */
class LeaderConflictTest {
    private final MockApiServer server = new MockApiServer();

    /** Leadership under the test's control; records that the service relinquished it. */
    static final class ManualLeadership implements Leadership {
        private Runnable start, stop;
        volatile boolean leader;
        volatile int relinquished;

        @Override
        public void start(Runnable onStartLeading, Runnable onStopLeading) {
            start = onStartLeading;
            stop = onStopLeading;
            elect();
        }

        void elect() {
            leader = true;
            start.run();
        }

        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public void stop() {
            leader = false;
            stop.run();
        }

        @Override
        public boolean relinquish() {
            relinquished++;
            stop();
            return true;
        }

        @Override
        public String describe() {
            return "manual";
        }
    }

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void aWriteOverASuccessorsAssignmentStandsTheInstanceDownAndItRecoversTheSuccessorsStateWhenElectedAgain() {
        ConfigMapAssignmentStore store = new ConfigMapAssignmentStore(server.client(), "fleet", "coordinator-state");
        ManualLeadership leadership = new ManualLeadership();
        CoordinatorService service = new CoordinatorService(CoordinatorSettings.defaults(CpuSet.range(0, 7)), new StickyBalancedAssignor(),
                store, Clock.systemUTC(), leadership, Optional.empty(), Duration.ofMinutes(1));
        service.start();
        service.heartbeat("a", Heartbeats.empty("a", "ia", 0));
        service.heartbeat("b", Heartbeats.empty("b", "ib", 0));
        assertThat(service.isLeader()).isTrue();

        // meanwhile a successor leads and writes its own assignment
        ConfigMapAssignmentStore successor = new ConfigMapAssignmentStore(server.client(), "fleet", "coordinator-state");
        successor.load();
        AssignmentSnapshot theirs = new AssignmentSnapshot(100, "0-7", Map.of("z", "0-7"), Map.of("z", "0-7"), List.of(), List.of(),
                Map.of(), Set.of());
        successor.save(theirs);

        assertThatThrownBy(() -> service.call(c -> c.rebalance(false))) // moves CPUs to b: a new generation to write
                .isInstanceOf(StateNotPersistedException.class).satisfies(e -> assertThat(((StateNotPersistedException) e).conflict()).isTrue());
        assertThat(store.load()).contains(theirs);
        assertThat(leadership.relinquished).isEqualTo(1);
        assertThat(service.isLeader()).isFalse();
        assertThatThrownBy(() -> service.heartbeat("a", Heartbeats.empty("a", "ia", 0))).isInstanceOf(NotLeaderException.class);
        assertThat(service.counters().get(FleetCounter.PERSIST_FAILURES)).isEqualTo(1);

        leadership.elect(); // elected again later: it continues from what is persisted
        long generation = service.call(c -> c.generation());
        assertThat(generation).isEqualTo(100);
        Map<String, String> targets = service.call(c -> c.assignment().targets());
        assertThat(targets).containsEntry("z", "0-7");
        service.stop();
    }

    @Test
    void withoutAnElectionTheInstanceGoesOnFromWhatTheStoreHolds() {
        ConfigMapAssignmentStore store = new ConfigMapAssignmentStore(server.client(), "fleet", "single-state");
        CoordinatorService service = new CoordinatorService(CoordinatorSettings.defaults(CpuSet.range(0, 7)), new StickyBalancedAssignor(),
                store, Clock.systemUTC(), new io.tsfleet.coordinator.kubernetes.SingleNodeLeadership(), Optional.empty(), Duration.ofMinutes(1));
        service.start();
        service.heartbeat("a", Heartbeats.empty("a", "ia", 0));
        service.heartbeat("b", Heartbeats.empty("b", "ib", 0));
        ConfigMapAssignmentStore other = new ConfigMapAssignmentStore(server.client(), "fleet", "single-state");
        other.load();
        other.save(new AssignmentSnapshot(50, "0-7", Map.of("a", "0-7"), Map.of("a", "0-7"), List.of(), List.of(), Map.of(), Set.of()));

        assertThatThrownBy(() -> service.call(c -> c.rebalance(false))).isInstanceOf(StateNotPersistedException.class);
        assertThat(service.isLeader()).isTrue();
        long generation = service.call(c -> c.generation());
        assertThat(generation).isEqualTo(50);
        service.stop();
    }
}
