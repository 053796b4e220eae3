package io.tsfleet.emulator.live;

import io.tsfleet.protocol.netlink.Netlink;

/**
 * Settings of the live-kernel backend.
 *
 * @param token        the broker token ({@code tsfleet.emulator.broker.token}); {@code null} or blank for none. With a
 *                     token, a connection is unprivileged (TASKSTATS commands get {@code -EPERM}) until it presents
 *                     the token with {@code TSFLEET_SOCK CMD_AUTH}; without one, only loopback clients of trusted
 *                     uids ({@code trustedUids}, root, the backend's own) are accepted, and they are privileged.
 * @param sockFamilyId the generic netlink family id under which the backend serves {@code TSFLEET_SOCK}; it must lie
 *                     above {@code GENL_MAX_ID} (1023), the largest id the kernel ever allocates, so it can never
 *                     collide with a real family (checked against the controller at start as well).
 * @param receiveBufferFloor the least effective {@code SO_RCVBUF} ({@code sk_rcvbuf}, bytes) of every connection's
 *                     kernel socket: set with {@code SO_RCVBUFFORCE} when the socket opens, and a client's smaller
 *                     {@code TSFLEET_SOCK} request is raised to it. The kernel queue is the only place where exits can
 *                     wait while an exit storm starves the whole fleet of CPU; 0 keeps the kernel's own default and
 *                     every client request exactly as the kernel would apply it.
 * @param backlogBytes how many bytes of messages a connection may have taken from its kernel socket that its client
 *                     has not yet taken from the broker. The backend drains every socket as soon as it is readable, up
 *                     to this much, so that a client that falls behind does not leave the kernel queue full (and, after
 *                     one overrun, congested until it is read empty); beyond it reading waits for the client, and after
 *                     an overrun the socket is read empty unless the total backlog is reached.
 * @param backlogTotalBytes the backlog of all connections together: beyond it no socket is read until clients have
 *                     taken some (it bounds the backend's memory when every client lags at once, as in an exit storm;
 *                     the kernel queues then hold the rest)
 * @param trustedUids  without a token, the uids (besides root and the backend's own) whose loopback clients are served;
 *                     a loopback client of any other uid is refused (see {@link LoopbackPeerTrust})
 */
public record KernelBackendSettings(String token, int sockFamilyId, int receiveBufferFloor, int backlogBytes, long backlogTotalBytes,
                                    java.util.List<Integer> trustedUids) {
    /** The default {@link #backlogBytes}: 16 MiB, about 28,000 single-task exit events. */
    public static final int DEFAULT_BACKLOG_BYTES = 16 << 20;
    /** The default {@link #backlogTotalBytes}: 64 MiB. */
    public static final long DEFAULT_BACKLOG_TOTAL_BYTES = 64L << 20;
    /** {@code GENL_MAX_ID} of {@code linux/genetlink.h}: the kernel allocates family ids in 0x10..1023. */
    public static final int GENL_MAX_ID = 1023;
    /** The default id of {@code TSFLEET_SOCK}: the first id the kernel cannot allocate. */
    public static final int DEFAULT_SOCK_FAMILY_ID = GENL_MAX_ID + 1;

    /** Settings that trust no uid beyond root and the backend's own. */
    public KernelBackendSettings(String token, int sockFamilyId, int receiveBufferFloor, int backlogBytes, long backlogTotalBytes) {
        this(token, sockFamilyId, receiveBufferFloor, backlogBytes, backlogTotalBytes, java.util.List.of());
    }

    public KernelBackendSettings {
        trustedUids = trustedUids == null ? java.util.List.of() : java.util.List.copyOf(trustedUids);
        for (int uid : trustedUids) if (uid < 0) throw new IllegalArgumentException("trusted uid " + uid + " < 0");
        if (token != null && token.isBlank()) token = null;
        if (sockFamilyId <= GENL_MAX_ID || sockFamilyId > 0xFFFF) {
            throw new IllegalArgumentException("TSFLEET_SOCK family id " + sockFamilyId + " must be in " + (GENL_MAX_ID + 1)
                    + "..65535, above the ids the kernel allocates (" + Netlink.GENL_ID_CTRL + ".." + GENL_MAX_ID + ")");
        }
        if (receiveBufferFloor < 0) throw new IllegalArgumentException("receive buffer floor " + receiveBufferFloor + " < 0");
        if (backlogBytes < 0) throw new IllegalArgumentException("backlog " + backlogBytes + " bytes < 0");
        if (backlogTotalBytes < backlogBytes) {
            throw new IllegalArgumentException("total backlog " + backlogTotalBytes + " bytes < one connection's " + backlogBytes);
        }
    }

    /**
     * The kernel's exact socket behaviour (no receive-buffer floor), the default backlog: what tests of the kernel's
     * own semantics use.
     */
    public static KernelBackendSettings withToken(String token) {
        return new KernelBackendSettings(token, DEFAULT_SOCK_FAMILY_ID, 0, DEFAULT_BACKLOG_BYTES, DEFAULT_BACKLOG_TOTAL_BYTES);
    }

    public boolean hasToken() {
        return token != null;
    }
}
