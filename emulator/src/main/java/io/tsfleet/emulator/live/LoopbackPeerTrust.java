package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.ConnectionRefusedException;
import io.tsfleet.emulator.broker.RefusalReason;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which local users the kernel backend serves without a token. Without a token the backend admits loopback clients
 * only, and a loopback client would otherwise act with the backend's own privilege (CAP_NET_ADMIN: register for every
 * CPU, read every process's exit data). So the uid of the client's process decides: root, the backend's own uid, and
 * the uids configured in {@code tsfleet.emulator.live.trusted-uids} are served; every other local user is refused with
 * a message that says how to connect (set a token and present it).
 *
 * <p>Loopback TCP has no {@code SO_PEERCRED}; the client's socket is found in {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6} instead (its local address and port are the connection's remote ones, its remote address and
 * port the broker's), and its {@code uid} column is the owner of the client's socket.
 */
public final class LoopbackPeerTrust {
    /** Finds the uid that owns the client's end of a loopback TCP connection. */
    interface UidLookup {
        OptionalInt uidOf(InetSocketAddress client, InetSocketAddress server) throws IOException;
    }

    private final Set<Integer> trusted;
    private final UidLookup lookup;

    LoopbackPeerTrust(Collection<Integer> trustedUids, UidLookup lookup) {
        this.trusted = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(trustedUids));
        this.lookup = lookup;
    }

    /** Root, this process's uid and {@code extraUids}, looked up in {@code /proc/net/tcp[6]}. */
    public static LoopbackPeerTrust forThisProcess(Collection<Integer> extraUids) {
        TreeSet<Integer> uids = new TreeSet<>(extraUids);
        uids.add(0);
        uids.add(ownUid());
        ProcNetTcp table = new ProcNetTcp(ProcNetTcp.PROC_NET);
        return new LoopbackPeerTrust(uids, table::uidOf);
    }

    /** The effective uid of this process: the owner of {@code /proc/self}. */
    static int ownUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            throw new IllegalStateException("cannot read this process's uid from /proc/self: " + e, e);
        }
    }

    public Set<Integer> trustedUids() {
        return trusted;
    }

    /**
     * Admits the loopback client at {@code remote} of the broker's {@code local} address, or refuses it.
     *
     * @throws ConnectionRefusedException ({@link RefusalReason#PEER_UID}) when its uid is not trusted or cannot be found
     */
    void check(SocketAddress remote, SocketAddress local) throws ConnectionRefusedException {
        if (!(remote instanceof InetSocketAddress client) || !(local instanceof InetSocketAddress server)) {
            throw refused(remote, "its address is not a TCP address");
        }
        OptionalInt uid;
        try {
            uid = lookup.uidOf(client, server);
        } catch (IOException e) {
            throw refused(remote, "its uid cannot be read from /proc/net/tcp: " + e.getMessage());
        }
        if (uid.isEmpty()) throw refused(remote, "its socket is not in /proc/net/tcp or /proc/net/tcp6");
        if (!trusted.contains(uid.getAsInt())) {
            throw refused(remote, "its process runs as uid " + uid.getAsInt() + ", not one of the trusted uids " + trusted);
        }
    }

    private static ConnectionRefusedException refused(SocketAddress remote, String why) {
        return new ConnectionRefusedException(RefusalReason.PEER_UID, "the kernel backend has no token and serves loopback clients of "
                + "trusted uids only (root, its own, tsfleet.emulator.live.trusted-uids); refusing " + remote + ": " + why
                + ". Set tsfleet.emulator.broker.token and present it (TSFLEET_SOCK AUTH) to connect as another user");
    }
}
