package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.state.AssignmentStore;

import java.util.OptionalInt;

/**
 * An operation changed the assignment but the store did not take it. Its directive never leaves: the coordinator that
 * threw this must be discarded and the state recovered from the store ({@link Coordinator#recover}), so that what
 * the coordinator answers is always what is persisted. {@link #conflict()}: another coordinator wrote the store, so
 * this one is no longer the only leader. Answered 503 "Assignment not persisted" with {@code Retry-After: 2}.
 */
public final class StateNotPersistedException extends RuntimeException implements ProblemAnswer {
    private final long generation;

    StateNotPersistedException(long generation, RuntimeException cause) {
        super("could not persist generation " + generation + " (" + cause.getMessage() + "); the operation was refused and the "
                + "assignment is recovered from the store", cause);
        this.generation = generation;
    }

    @Override
    public int status() {
        return 503;
    }

    @Override
    public String title() {
        return "Assignment not persisted";
    }

    @Override
    public OptionalInt retryAfterSeconds() {
        return OptionalInt.of(2);
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
