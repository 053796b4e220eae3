package io.tsfleet.coordinator.domain;

/**
 * A request the coordinator refuses; nothing was changed. Each kind carries its own answer ({@link ProblemAnswer}: the
 * status and title of its problem detail, the message as the detail), so that a new kind of refusal needs no new
 * mapping in the web adapter; any other exception is a fault of the coordinator and answered 500.
 */
public abstract sealed class CoordinatorException extends RuntimeException implements ProblemAnswer
        permits CoordinatorException.InvalidRequest, CoordinatorException.UnknownReplica, CoordinatorException.Conflict {
    private final int status;
    private final String title;

    protected CoordinatorException(int status, String title, String message) {
        super(message);
        this.status = status;
        this.title = title;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public String title() {
        return title;
    }

    /** Malformed or out-of-range input (HTTP 400). */
    public static final class InvalidRequest extends CoordinatorException {
        public InvalidRequest(String message) {
            super(400, "Invalid request", message);
        }
    }

    /** No live replica with that id (HTTP 404). */
    public static final class UnknownReplica extends CoordinatorException {
        public UnknownReplica(String id) {
            super(404, "Unknown replica", "no live replica with id '" + id + "'");
        }
    }

    /** The request contradicts the replica's state (HTTP 409). */
    public static final class Conflict extends CoordinatorException {
        public Conflict(String message) {
            super(409, "Conflict", message);
        }
    }
}
