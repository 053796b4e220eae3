package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.state.AssignmentStore;

/**
 * An operation changed the assignment but the store did not take it. Its directive never leaves: the coordinator that
 * threw this must be discarded and the state recovered from the store ({@link Coordinator#recover}), so that what
 * the coordinator answers is always what is persisted. {@link #conflict()}: another coordinator wrote the store, so
 * this one is no longer the only leader.
 */
public final class StateNotPersistedException extends RuntimeException {
    private final long generation;

    StateNotPersistedException(long generation, RuntimeException cause) {
        super("could not persist generation " + generation + " (" + cause.getMessage() + "); the operation was refused and the "
                + "assignment is recovered from the store", cause);
        this.generation = generation;
    }

    /** The generation that was not persisted (and is not handed out). */
    public long generation() {
        return generation;
    }

    /** Whether the store refused because someone else wrote it. */
    public boolean conflict() {
        return getCause() instanceof AssignmentStore.StoreConflictException;
    }
}
