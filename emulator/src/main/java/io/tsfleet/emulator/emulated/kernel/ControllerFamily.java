package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NlAttribute;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The generic netlink controller {@code nlctrl} ({@code GENL_ID_CTRL}): {@code CTRL_CMD_GETFAMILY} by id or
 * by name answers {@code CTRL_CMD_NEWFAMILY} as {@code ctrl_fill_info} builds it; an unknown family is
 * {@code -ENOENT}, neither attribute {@code -EINVAL}. The dump lists every family.
 * ({@code CTRL_CMD_GETPOLICY} is not emulated.)
 */
final class ControllerFamily extends GenlFamily {
    static final int CTRL_VERSION = 2;
    private static final int MCAST_GRP_NAME = 1;
    private static final int MCAST_GRP_ID = 2;


    private final Supplier<List<GenlFamily>> families;

    ControllerFamily(Supplier<List<GenlFamily>> families) {
        super("nlctrl", Netlink.GENL_ID_CTRL, CTRL_VERSION, 11, List.of(new Op(Netlink.CTRL_CMD_GETFAMILY, false, true, true,
                Map.of(Netlink.CTRL_ATTR_FAMILY_ID, AttrPolicy.u16(), Netlink.CTRL_ATTR_FAMILY_NAME, AttrPolicy.nulString(15)))));
        this.families = families;
    }

    @Override
    List<McastGroup> mcastGroups() {
        return List.of(new McastGroup("notify", Netlink.GENL_ID_CTRL));
    }

    @Override
    int doit(GenlRequest request, ReplySink out) {
        Optional<GenlFamily> found = Optional.empty();
        Errno err = Errno.EINVAL;
        NlAttribute id = request.attr(Netlink.CTRL_ATTR_FAMILY_ID);
        if (id != null) {
            int wanted = Short.toUnsignedInt(id.valueBuffer().getShort(0));
            found = families.get().stream().filter(f -> f.id() == wanted).findFirst();
            err = null;
        }
        NlAttribute name = request.attr(Netlink.CTRL_ATTR_FAMILY_NAME);
        if (name != null) {
            String wanted = name.string();
            found = families.get().stream().filter(f -> f.name().equals(wanted)).findFirst();
            err = null;
        }
        if (found.isEmpty()) return err != null ? err.negative() : Errno.ENOENT.negative();
        return out.reply(describe(found.get(), 0, request.seq(), request.socket().portId()));
    }

    @Override
    void dumpit(GenlRequest request, ReplySink out) {
        for (GenlFamily f : families.get()) out.reply(describe(f, Netlink.NLM_F_MULTI, request.seq(), request.socket().portId()));
        ByteBuffer done = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0);
        out.reply(new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, request.seq(), request.socket().portId(), done.array()));
    }

    static NetlinkMessage describe(GenlFamily f, int flags, int seq, int portId) {
        MessageBuilder b = MessageBuilder.genl(Netlink.CTRL_CMD_NEWFAMILY, CTRL_VERSION)
                .string(Netlink.CTRL_ATTR_FAMILY_NAME, f.name())
                .u16(Netlink.CTRL_ATTR_FAMILY_ID, f.id())
                .u32(Netlink.CTRL_ATTR_VERSION, f.version())
                .u32(Netlink.CTRL_ATTR_HDRSIZE, f.hdrsize())
                .u32(Netlink.CTRL_ATTR_MAXATTR, f.maxattr());
        if (!f.ops().isEmpty()) {
            int ops = b.beginNest(Netlink.CTRL_ATTR_OPS);
            int idx = 1;
            for (Op op : f.ops()) {
                int nest = b.beginNest(idx++);
                b.u32(Netlink.CTRL_ATTR_OP_ID, op.cmd()).u32(Netlink.CTRL_ATTR_OP_FLAGS, op.flags());
                b.endNest(nest);
            }
            b.endNest(ops);
        }
        if (!f.mcastGroups().isEmpty()) {
            int groups = b.beginNest(Netlink.CTRL_ATTR_MCAST_GROUPS);
            int idx = 1;
            for (McastGroup g : f.mcastGroups()) {
                int nest = b.beginNest(idx++);
                b.u32(MCAST_GRP_ID, g.id()).string(MCAST_GRP_NAME, g.name());
                b.endNest(nest);
            }
            b.endNest(groups);
        }
        return b.build(Netlink.GENL_ID_CTRL, flags, seq, portId);
    }
}
