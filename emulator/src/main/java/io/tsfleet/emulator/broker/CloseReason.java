package io.tsfleet.emulator.broker;

/** Why the broker closed an established connection (the {@code reason} tag of {@code tsfleet_broker_connections_closed_total}). */
public enum CloseReason {
    /** Not authenticated within {@code auth-timeout}. */
    AUTH_TIMEOUT("auth_timeout"),
    /** Authenticated, no listener registration, and nothing sent for {@code idle-timeout}. */
    IDLE("idle"),
    /** Serving the connection threw (a bug or a backend failure): only this connection is closed, its loop goes on. */
    FAILURE("failure");

    private final String tag;

    CloseReason(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
