package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.LoadTracker;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.SnapshotCodec;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.AssignmentStore;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AssignmentCommitTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final Generations generations = new Generations(7);
    private final Effects effects = new Effects(clock, generations);
    private final List<Long> saved = new ArrayList<>();
    private boolean failing;
    private final AssignmentStore store = new AssignmentStore() {
        @Override
        public Optional<AssignmentSnapshot> load() {
            return Optional.empty();
        }

        @Override
        public void save(AssignmentSnapshot snapshot) {
            if (failing) throw new StoreException("disk full", null);
            saved.add(snapshot.generation());
        }
    };
    private final AssignmentCommit commit = new AssignmentCommit(store, generations,
            () -> snapshotOfFourCpus(generations.current()));

    private static io.tsfleet.coordinator.domain.state.AssignmentSnapshot snapshotOfFourCpus(long generation) {
        CpuTable table = new CpuTable(CpuSet.range(0, 3));
        Membership membership = new Membership();
        LoadTracker loads = new LoadTracker(4, Duration.ofSeconds(5));
        Map<String, CpuSet> pins = new java.util.TreeMap<>();
        var slots = new io.tsfleet.coordinator.domain.fleet.SlotChanges(io.tsfleet.coordinator.domain.fleet.SlotSpace.staticNode("local", table.possible()),
                true, table, membership, loads, pins, null, null);
        return SnapshotCodec.snapshot(generation, table, membership, pins, loads, slots);
    }

    @Test
    void aNewGenerationIsPersistedAndNothingElseIs() {
        commit.commit(clock.instant(), effects);
        assertThat(saved).isEmpty();

        generations.stamp();
        commit.commit(clock.instant(), effects);

        assertThat(saved).containsExactly(8L);
        assertThat(effects.drain().isEmpty()).isTrue();
    }

    @Test
    void aJoinIsPersistedWithoutANewGeneration() {
        commit.incarnationsChanged();
        commit.commit(clock.instant(), effects);
        commit.commit(clock.instant(), effects);

        assertThat(saved).containsExactly(7L);
    }

    @Test
    void aGenerationTheStoreRefusesIsAuditedCountedAndDiscardsTheInstance() {
        failing = true;
        generations.stamp();

        assertThatThrownBy(() -> commit.commit(clock.instant(), effects)).isInstanceOf(StateNotPersistedException.class);

        assertThat(commit.discarded()).isTrue();
        Effects.Drained fx = effects.drain();
        assertThat(fx.events()).extracting(Effects.Stamped::event).containsExactly(new FleetEvent.PersistFailed(8, "disk full"));
        assertThat(fx.counts().get(FleetCounter.PERSIST_FAILURES)).isEqualTo(1);
    }
}
