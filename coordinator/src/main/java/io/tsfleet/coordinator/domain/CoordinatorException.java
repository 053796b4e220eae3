package io.tsfleet.coordinator.domain;

/** A request the coordinator refuses; nothing was changed. */
public abstract sealed class CoordinatorException extends RuntimeException
        permits CoordinatorException.InvalidRequest, CoordinatorException.UnknownReplica, CoordinatorException.Conflict {

    protected CoordinatorException(String message) {
        super(message);
    }

    /** Malformed or out-of-range input (HTTP 400). */
    public static final class InvalidRequest extends CoordinatorException {
        public InvalidRequest(String message) {
            super(message);
        }
    }

    /** No live replica with that id (HTTP 404). */
    public static final class UnknownReplica extends CoordinatorException {
        public UnknownReplica(String id) {
            super("no live replica with id '" + id + "'");
        }
    }

    /** The request contradicts the replica's state (HTTP 409). */
    public static final class Conflict extends CoordinatorException {
        public Conflict(String message) {
            super(message);
        }
    }
}
