package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.netlink.Netlink;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A registered generic netlink family ({@code struct genl_family}) with its operations. Subclasses
 * implement the operations' {@code doit} (and {@code dumpit} where the kernel has one).
 */
abstract class GenlFamily {

    /**
     * One operation as the controller reports it.
     *
     * @param cmd       the genl command
     * @param adminPerm {@code GENL_ADMIN_PERM}: needs {@code CAP_NET_ADMIN} (EPERM otherwise)
     * @param doit      has a {@code doit}
     * @param dumpit    has a {@code dumpit}
     * @param policy    the operation's policy by attribute type ({@code maxattr} = its largest key)
     */
    record Op(int cmd, boolean adminPerm, boolean doit, boolean dumpit, Map<Integer, AttrPolicy> policy) {
        /** The op flags {@code CTRL_CMD_GETFAMILY} reports. */
        int flags() {
            int f = 0;
            if (adminPerm) f |= Netlink.GENL_ADMIN_PERM;
            if (doit) f |= Netlink.GENL_CMD_CAP_DO;
            if (dumpit) f |= Netlink.GENL_CMD_CAP_DUMP;
            if (!policy.isEmpty()) f |= Netlink.GENL_CMD_CAP_HASPOL;
            return f;
        }

        int maxattr() {
            return policy.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    /** A multicast group as the controller reports it. */
    record McastGroup(String name, int id) {
    }

    private final String name;
    private final int id;
    private final int version;
    private final int resvStartOp;
    private final List<Op> ops;

    GenlFamily(String name, int id, int version, int resvStartOp, List<Op> ops) {
        this.name = name;
        this.id = id;
        this.version = version;
        this.resvStartOp = resvStartOp;
        this.ops = List.copyOf(ops);
    }

    String name() {
        return name;
    }

    int id() {
        return id;
    }

    int version() {
        return version;
    }

    int hdrsize() {
        return 0;
    }

    /** The family's {@code maxattr}: 0 for families whose policies are per operation (all of ours). */
    int maxattr() {
        return 0;
    }

    int resvStartOp() {
        return resvStartOp;
    }

    List<Op> ops() {
        return ops;
    }

    List<McastGroup> mcastGroups() {
        return List.of();
    }

    Optional<Op> op(int cmd) {
        return ops.stream().filter(o -> o.cmd() == cmd).findFirst();
    }

    /** Runs the operation's {@code doit}; returns 0 or a negative errno. Replies go to {@code out}. */
    abstract int doit(GenlRequest request, ReplySink out);

    /** Runs the operation's {@code dumpit} (only for ops that have one). */
    void dumpit(GenlRequest request, ReplySink out) {
        throw new UnsupportedOperationException(name + " has no dump");
    }

    /** Where a family's answers go: the requester's receive queue. */
    interface ReplySink {
        /** Queues one message to the requester; returns 0, or -EAGAIN when its receive buffer refused it. */
        int reply(io.tsfleet.protocol.netlink.NetlinkMessage message);

        /** Queues prebuilt stream bytes (a padded message) to the requester. */
        int reply(byte[] message);
    }
}
