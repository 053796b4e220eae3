package io.tsfleet.emulator.live;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Whether a broker connection may act with the broker's own privilege (CAP_NET_ADMIN) on the live kernel.
 * The broker runs as root, so this is the line between the node's task data and the network:
 * <ul>
 *   <li>with a configured token, every connection starts unprivileged, like a process without CAP_NET_ADMIN, and
 *       becomes privileged by presenting the token ({@code TSFLEET_SOCK CMD_AUTH}); a wrong token is
 *       {@code -EPERM} and changes nothing;</li>
 *   <li>without a token, only loopback clients are admitted at all (see {@link #admit}), and only those of trusted
 *       uids ({@link LoopbackPeerTrust}); they are privileged.</li>
 * </ul>
 */
public final class ConnectionPrivilege {
    private final byte[] token;
    private final boolean loopback;
    private volatile boolean authenticated;

    private ConnectionPrivilege(String token, boolean loopback) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.loopback = loopback;
    }

    /**
     * The privilege of a new connection from {@code remote}.
     *
     * @throws SecurityException when the client is not on loopback and no token is configured: such a client could
     *                           never authenticate, and an unauthenticated root proxy must not face the network
     */
    public static ConnectionPrivilege admit(SocketAddress remote, String configuredToken) {
        boolean loopback = isLoopback(remote);
        if (!loopback && configuredToken == null) {
            throw new SecurityException("refusing non-loopback client " + remote
                    + ": the kernel backend serves the node's task data; set tsfleet.emulator.broker.token to admit remote clients");
        }
        return new ConnectionPrivilege(configuredToken, loopback);
    }

    static boolean isLoopback(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
    }

    /** May this connection run TASKSTATS commands and privileged socket options? */
    public boolean privileged() {
        return token == null ? loopback : authenticated;
    }

    public boolean authenticated() {
        return authenticated;
    }

    /**
     * Checks a presented token (constant time); true and authenticated when it matches the configured one. Without a
     * configured token any token is accepted (the connection was admitted from loopback and is privileged anyway), as
     * the emulated kernel does.
     */
    public boolean authenticate(byte[] presented) {
        if (token == null) {
            authenticated = true;
            return true;
        }
        boolean ok = MessageDigest.isEqual(token, presented);
        if (ok) authenticated = true;
        return ok;
    }
}
