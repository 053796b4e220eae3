package io.tsfleet.emulator.broker;

/** Why the broker refused a connection right after accept (the {@code reason} tag of {@code tsfleet_broker_connections_rejected_total}). */
public enum RefusalReason {
    /** {@code max-connections} reached. */
    CONNECTION_LIMIT("connection_limit"),
    /** {@code max-connections-per-peer} reached for the client's address. */
    PEER_LIMIT("peer_limit"),
    /** A non-loopback client of a broker without a token. */
    TOKEN_REQUIRED("token_required"),
    /** A loopback client of the kernel backend without a token whose process runs under a uid that is not trusted. */
    PEER_UID("peer_uid"),
    /** The backend could not open a socket for the connection. */
    BACKEND_ERROR("backend_error");

    private final String tag;

    RefusalReason(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
