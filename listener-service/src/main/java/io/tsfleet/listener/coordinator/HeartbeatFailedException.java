package io.tsfleet.listener.coordinator;

/**
 * A heartbeat that did not get a directive: unreachable, timed out, or an HTTP error (status > 0). The replica's side of
 * a failed call (the coordinator's own refusals are its {@code domain.CoordinatorException}).
 */
public final class HeartbeatFailedException extends Exception {
    private final int status;

    public HeartbeatFailedException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when there was no HTTP answer. */
    public int status() {
        return status;
    }
}
