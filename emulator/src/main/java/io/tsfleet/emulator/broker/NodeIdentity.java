package io.tsfleet.emulator.broker;

import io.tsfleet.protocol.sock.SockProtocol;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.UUID;

/**
 * Which node a broker serves, and which boot of that node's kernel: the kernel numbers each CPU's exits from boot to
 * shutdown, so {@code (node, bootId, cpu, seq)} names one exit wherever its record ends up. The kernel backend's boot id
 * is the kernel's ({@code /proc/sys/kernel/random/boot_id}); an emulated kernel draws one when it starts, so an
 * emulator restart is a reboot of its node.
 *
 * @param name   the node's name (a Kubernetes node name: a DNS subdomain of at most 253 characters)
 * @param bootId the boot's UUID, in its canonical lower-case form
 */
public record NodeIdentity(String name, String bootId) {
    private static final int MAX_NAME_LENGTH = SockProtocol.MAX_NODE_NAME_LENGTH;

    public NodeIdentity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bootId, "bootId");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("node name '" + name + "' is not a DNS subdomain (lower-case letters, digits, '-' and '.', "
                    + "at most " + MAX_NAME_LENGTH + " characters)");
        }
        bootId = UUID.fromString(bootId).toString();
    }

    /** A node name as Kubernetes allows it (and as {@code TSFLEET_SOCK}'s {@code ATTR_NODE} carries it). */
    public static boolean isValidName(String name) {
        return SockProtocol.isValidNodeName(name);
    }

    /**
     * The run of the per-CPU sequence counters this boot numbers its exits in ({@code TSFLEET_SOCK}'s
     * {@code ATTR_SEQ_EPOCH}): derived from the boot id, never 0.
     */
    public long seqEpoch() {
        return SockProtocol.seqEpochOf(UUID.fromString(bootId));
    }

    /**
     * The node's name when none is configured: this host's name, lower-cased (a container's host name is its pod's
     * name; the chart sets the node's own name from the downward API), or {@code localhost} when it has none that is a
     * valid node name.
     */
    public static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv("HOSTNAME");
        }
        String lower = host == null ? "" : host.toLowerCase(java.util.Locale.ROOT);
        return isValidName(lower) ? lower : "localhost";
    }
}
