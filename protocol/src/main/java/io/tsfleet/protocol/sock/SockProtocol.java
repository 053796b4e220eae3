package io.tsfleet.protocol.sock;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The {@code TSFLEET_SOCK} generic netlink family: the in-band equivalent, on a broker connection, of
 * what a netlink client does to its socket with {@code setsockopt}/{@code getsockopt}/{@code getsockname}.
 * It is resolved through the controller like any family; its id is dynamic.
 *
 * <ul>
 *   <li>{@link #CMD_SET}: any of {@link #ATTR_RCVBUF} ({@code SO_RCVBUF}: the kernel doubles the value,
 *       clamps it to {@code 2 * rmem_max} and to at least 2304), {@link #ATTR_RCVBUFFORCE}
 *       ({@code SO_RCVBUFFORCE}: no {@code rmem_max} clamp, needs privilege), {@link #ATTR_NO_ENOBUFS}
 *       ({@code NETLINK_NO_ENOBUFS}, u32 0/1). Answered by an ack (with {@code NLM_F_ACK}) or an error.</li>
 *   <li>{@link #CMD_GET}: answered with a {@link #CMD_NEW} message carrying the effective
 *       {@link #ATTR_RCVBUF}, {@link #ATTR_NO_ENOBUFS}, {@link #ATTR_PORT_ID} ({@code getsockname}),
 *       {@link #ATTR_AUTHENTICATED}, {@link #ATTR_RMEM} (bytes queued), {@link #ATTR_DROPS}
 *       ({@code sk_drops}, u64) and {@link #ATTR_SEQ_EPOCH} (u64): the run of the per-CPU sequence counters the
 *       connection's events are numbered in. Two answers with the same non-zero epoch come from counters that kept
 *       counting in between (the same boot of the same kernel; the same emulator process); 0 or absent: unknown.
 *       Also {@link #ATTR_NODE} (string: the name of the node the broker serves, a DNS subdomain of at most
 *       {@value #MAX_NODE_NAME_LENGTH} characters, see {@link #isValidNodeName}) and {@link #ATTR_BOOT_ID} (string: the
 *       UUID of that node's current boot in its canonical lower-case form, {@value #BOOT_ID_LENGTH} characters): the
 *       kernel numbers each CPU's exits from boot to shutdown, so {@code (node, boot id, cpu, seq)} names one exit.
 *       Both are reported to a privileged connection only (authenticated, or any connection of a broker without a
 *       token): one that may read the node's exits. A broker that does not report them to such a connection is an
 *       older one; clients treat them as unknown (and, like every client of a
 *       generic netlink family, ignore attributes they do not know).</li>
 *   <li>{@link #ATTR_RECV_PAUSED} (u32, in {@code CMD_SET}; reported by {@code CMD_GET}): 1 = the client stops calling
 *       {@code recv()}: once everything queued up to and including this request's ack has been taken, nothing more
 *       leaves the receive queue (events keep being queued; overflow and congestion happen as in the kernel); 0 = it
 *       reads again, and when the queue has then been emptied one {@code NLMSG_NOOP} with the request's sequence number
 *       and the socket's port id marks the point (the equivalent of {@code recv()} returning {@code EAGAIN}; not
 *       charged to the receive buffer). Over TCP, bytes in flight would otherwise count as read, so exact overflow
 *       tests need it.</li>
 *   <li>{@link #CMD_AUTH}: {@link #ATTR_TOKEN} (string). A wrong token is {@code -EPERM} and changes nothing;
 *       without a successful AUTH a broker with a configured token treats the connection as a process without
 *       {@code CAP_NET_ADMIN}.</li>
 * </ul>
 */
public final class SockProtocol {
    private SockProtocol() {
    }

    public static final String FAMILY_NAME = "TSFLEET_SOCK";
    public static final int GENL_VERSION = 1;

    public static final int CMD_GET = 1;
    public static final int CMD_SET = 2;
    public static final int CMD_NEW = 3;
    public static final int CMD_AUTH = 4;

    public static final int ATTR_RCVBUF = 1;
    public static final int ATTR_NO_ENOBUFS = 2;
    public static final int ATTR_PORT_ID = 3;
    public static final int ATTR_TOKEN = 4;
    public static final int ATTR_AUTHENTICATED = 5;
    public static final int ATTR_RMEM = 6;
    public static final int ATTR_DROPS = 7;
    public static final int ATTR_RCVBUFFORCE = 8;
    public static final int ATTR_RECV_PAUSED = 9;
    public static final int ATTR_SEQ_EPOCH = 10;
    public static final int ATTR_NODE = 11;
    public static final int ATTR_BOOT_ID = 12;

    /** The longest node name: a Kubernetes node name is a DNS subdomain of at most 253 characters. */
    public static final int MAX_NODE_NAME_LENGTH = 253;
    /** A boot id in its canonical form ({@code 8-4-4-4-12} hex digits). */
    public static final int BOOT_ID_LENGTH = 36;
    /** RFC 1123 subdomain, as Kubernetes requires of node names. */
    private static final Pattern NODE_NAME =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern BOOT_ID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** {@code SOCK_MIN_RCVBUF} on x86_64. */
    public static final int MIN_RCVBUF = 2304;
    /** {@code net.core.rmem_default} and {@code rmem_max} of a stock kernel. */
    public static final int DEFAULT_RMEM = 212992;

    /**
     * The {@link #ATTR_SEQ_EPOCH} of a kernel boot: a kernel's per-CPU sequence counters count from boot to shutdown, so
     * a value derived from the boot's id names their run. Never 0 (0 means unknown).
     */
    public static long seqEpochOf(UUID bootId) {
        long epoch = bootId.getMostSignificantBits() ^ bootId.getLeastSignificantBits();
        return epoch == 0 ? 1 : epoch;
    }

    /** Whether {@code name} is a valid {@link #ATTR_NODE}: a DNS subdomain (RFC 1123) of at most 253 characters. */
    public static boolean isValidNodeName(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_NODE_NAME_LENGTH && NODE_NAME.matcher(name).matches();
    }

    /** Whether {@code bootId} is a valid {@link #ATTR_BOOT_ID}: a UUID in its canonical lower-case form. */
    public static boolean isValidBootId(String bootId) {
        return bootId != null && bootId.length() == BOOT_ID_LENGTH && BOOT_ID.matcher(bootId).matches();
    }

    /** The effective {@code sk_rcvbuf} after {@code setsockopt(SO_RCVBUF, requested)}. */
    public static int effectiveRcvbuf(long requested, int rmemMax, boolean force) {
        long v = Math.max(0, requested);
        if (!force) v = Math.min(v, rmemMax);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(v * 2, MIN_RCVBUF));
    }

    /** How many events of this truesize a queue of {@code rcvbuf} bytes holds: an empty queue always takes one. */
    public static int queueCapacity(int rcvbuf, int truesize) {
        return Math.max(1, (rcvbuf - 1) / truesize);
    }
}
