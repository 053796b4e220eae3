package io.tsfleet.listener.coordinator;

/** A heartbeat that did not get a directive: unreachable, timed out, or an HTTP error (status > 0). */
public final class CoordinatorException extends Exception {
    private final int status;

    public CoordinatorException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when there was no HTTP answer. */
    public int status() {
        return status;
    }
}
