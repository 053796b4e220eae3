package io.tsfleet.emulator.live;

import io.tsfleet.emulator.live.netlink.ResolvedFamily;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.sock.SockProtocol;

import java.util.List;

/**
 * {@code CTRL_CMD_NEWFAMILY} messages laid out as the kernel's {@code ctrl_fill_info} does (observed on 6.18): genl
 * header version 2 (the controller's), then NAME, ID (u16), VERSION, HDRSIZE, MAXATTR (u32) and the OPS nest with one
 * nest per operation (index from 1: OP_ID, OP_FLAGS).
 */
final class ControllerReplies {
    /** The controller family's own version, which the kernel puts in the genl header of its replies. */
    static final int CTRL_VERSION = 2;

    private ControllerReplies() {
    }

    /**
     * How {@code TSFLEET_SOCK} describes itself: commands GET, SET and AUTH, each doable with a per-operation policy
     * ({@code GENL_CMD_CAP_DO | GENL_CMD_CAP_HASPOL}, so {@code maxattr} 0, as for TASKSTATS).
     */
    static ResolvedFamily sockFamily(int id) {
        long flags = Netlink.GENL_CMD_CAP_DO | Netlink.GENL_CMD_CAP_HASPOL;
        return new ResolvedFamily(id, SockProtocol.FAMILY_NAME, SockProtocol.GENL_VERSION, 0, 0,
                List.of(new ResolvedFamily.Operation(SockProtocol.CMD_GET, flags),
                        new ResolvedFamily.Operation(SockProtocol.CMD_SET, flags),
                        new ResolvedFamily.Operation(SockProtocol.CMD_AUTH, flags)),
                false);
    }

    static NetlinkMessage newFamily(ResolvedFamily f, int flags, int seq, int portId) {
        MessageBuilder b = MessageBuilder.genl(Netlink.CTRL_CMD_NEWFAMILY, CTRL_VERSION)
                .string(Netlink.CTRL_ATTR_FAMILY_NAME, f.name())
                .u16(Netlink.CTRL_ATTR_FAMILY_ID, f.id())
                .u32(Netlink.CTRL_ATTR_VERSION, f.version())
                .u32(Netlink.CTRL_ATTR_HDRSIZE, f.headerSize())
                .u32(Netlink.CTRL_ATTR_MAXATTR, f.maxAttribute());
        if (!f.operations().isEmpty()) {
            int ops = b.beginNest(Netlink.CTRL_ATTR_OPS);
            int index = 1;
            for (ResolvedFamily.Operation op : f.operations()) {
                int nest = b.beginNest(index++);
                b.u32(Netlink.CTRL_ATTR_OP_ID, op.cmd()).u32(Netlink.CTRL_ATTR_OP_FLAGS, op.flags());
                b.endNest(nest);
            }
            b.endNest(ops);
        }
        return b.build(Netlink.GENL_ID_CTRL, flags, seq, portId);
    }

    /** The end of a dump: {@code NLMSG_DONE}, {@code NLM_F_MULTI}, payload the dump's result 0 (20 bytes). */
    static NetlinkMessage done(int seq, int portId) {
        return new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, seq, portId, new byte[4]);
    }
}
