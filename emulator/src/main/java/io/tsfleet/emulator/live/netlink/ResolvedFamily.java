package io.tsfleet.emulator.live.netlink;

import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NlAttribute;

import java.util.ArrayList;
import java.util.List;

/** A generic netlink family as the controller describes it in a {@code CTRL_CMD_NEWFAMILY} answer. */
public record ResolvedFamily(int id, String name, long version, long headerSize, long maxAttribute, List<Operation> operations,
                         boolean hasMulticastGroups) {

    /** One {@code CTRL_ATTR_OPS} entry: the command and its {@code GENL_*} flags. */
    public record Operation(long cmd, long flags) {
    }

    public ResolvedFamily {
        operations = List.copyOf(operations);
    }

    /** Decodes the controller's reply to {@code CTRL_CMD_GETFAMILY}. */
    public static ResolvedFamily decode(NetlinkMessage reply) throws MalformedMessageException {
        if (reply.type() != Netlink.GENL_ID_CTRL) throw new MalformedMessageException("not a controller message: type " + reply.type());
        GenlMessage g = GenlMessage.of(reply);
        if (g.cmd() != Netlink.CTRL_CMD_NEWFAMILY) throw new MalformedMessageException("not CTRL_CMD_NEWFAMILY: cmd " + g.cmd());
        AttributeList attrs = g.attributes(false);
        NlAttribute id = attrs.require(Netlink.CTRL_ATTR_FAMILY_ID);
        if (id.value().length < 2) throw new MalformedMessageException("CTRL_ATTR_FAMILY_ID shorter than a u16");
        List<Operation> ops = new ArrayList<>();
        var opsNest = attrs.last(Netlink.CTRL_ATTR_OPS);
        if (opsNest.isPresent()) {
            for (NlAttribute op : opsNest.get().nested().attributes()) {
                AttributeList opAttrs = op.nested();
                ops.add(new Operation(u32(opAttrs, Netlink.CTRL_ATTR_OP_ID), u32(opAttrs, Netlink.CTRL_ATTR_OP_FLAGS)));
            }
        }
        return new ResolvedFamily(Short.toUnsignedInt(id.valueBuffer().getShort(0)), attrs.require(Netlink.CTRL_ATTR_FAMILY_NAME).string(),
                u32(attrs, Netlink.CTRL_ATTR_VERSION), u32(attrs, Netlink.CTRL_ATTR_HDRSIZE), u32(attrs, Netlink.CTRL_ATTR_MAXATTR),
                ops, attrs.last(Netlink.CTRL_ATTR_MCAST_GROUPS).isPresent());
    }

    private static long u32(AttributeList attrs, int type) throws MalformedMessageException {
        var a = attrs.last(type);
        if (a.isEmpty()) return 0;
        if (a.get().value().length < 4) throw new MalformedMessageException("controller attribute " + type + " shorter than a u32");
        return a.get().u32();
    }
}
