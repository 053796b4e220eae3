package io.tsfleet.coordinator.domain.state;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** A store that forgets everything when the process ends: for tests and for running without persistence. */
public final class InMemoryAssignmentStore implements AssignmentStore {
    private final AtomicReference<AssignmentSnapshot> saved = new AtomicReference<>();
    private volatile int saves;

    @Override
    public Optional<AssignmentSnapshot> load() {
        return Optional.ofNullable(saved.get());
    }

    @Override
    public void save(AssignmentSnapshot snapshot) {
        saved.set(snapshot);
        saves++;
    }

    /** Forgets the saved snapshot. */
    public void clear() {
        saved.set(null);
    }

    public int saves() {
        return saves;
    }
}
