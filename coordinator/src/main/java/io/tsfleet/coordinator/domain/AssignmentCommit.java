package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.AssignmentStore;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * The end of every operation: when it changed a directive (a new generation), the assignment is persisted before
 * anything is answered, so no replica can apply a generation the store does not know (static stability across
 * restarts and leader changes).
 */
final class AssignmentCommit {
    private final AssignmentStore store;
    private final Generations generations;
    private final Supplier<AssignmentSnapshot> snapshot;

    /** A member joined or was confirmed: its incarnation is persisted with the next commit even without a new generation. */
    private boolean incarnationsChanged;
    private boolean discarded;

    AssignmentCommit(AssignmentStore store, Generations generations, Supplier<AssignmentSnapshot> snapshot) {
        this.store = store;
        this.generations = generations;
        this.snapshot = snapshot;
    }

    void incarnationsChanged() {
        incarnationsChanged = true;
    }

    /**
     * Persists a new generation. When the store does not take it, the failure is audited and counted, this instance
     * is {@linkplain #discarded() discarded} (its state is ahead of the store) and {@link StateNotPersistedException}
     * is thrown.
     */
    void commit(Instant now, Effects fx) {
        if (!generations.commit()) {
            if (incarnationsChanged) persistIncarnations();
            return;
        }
        incarnationsChanged = false;
        try {
            store.save(snapshot.get());
        } catch (RuntimeException e) {
            fx.count(FleetCounter.PERSIST_FAILURES);
            fx.audit(now, new FleetEvent.PersistFailed(generations.current(), e.getMessage()));
            discarded = true;
            throw new StateNotPersistedException(generations.current(), e);
        }
    }

    /**
     * Persists who the members are when nothing else changed (a replica joined or was confirmed without a new
     * generation). Best effort: no directive depends on it, so a store that refuses it fails nothing; it is tried
     * again at the next commit, and a refusal that matters (a successor's write) surfaces with the next generation.
     */
    private void persistIncarnations() {
        try {
            store.save(snapshot.get());
            incarnationsChanged = false;
        } catch (RuntimeException e) {
            // kept: tried again at the next commit
        }
    }

    /** Whether a failed persist left this instance ahead of the store: it refuses every operation. */
    boolean discarded() {
        return discarded;
    }
}
