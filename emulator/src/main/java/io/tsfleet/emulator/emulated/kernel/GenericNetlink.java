package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NlAttribute;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The path of one message from {@code sendmsg()} to its answer: {@code netlink_rcv_skb} (only requests are
 * executed, control types are skipped, an ack when asked for or on error), {@code genl_rcv_msg} and
 * {@code genl_family_rcv_msg} in the kernel's order: family by id (ENOENT), header length (EINVAL),
 * reserved field (EINVAL), operation (EOPNOTSUPP, also for a dump without {@code dumpit}), permission
 * (EPERM), attribute policy (liberal), then the operation.
 */
final class GenericNetlink {
    /** Returned by {@link #dispatch} when a dump answered: no ack follows (the dump ends with NLMSG_DONE). */
    private static final int DUMP_STARTED = Integer.MIN_VALUE;

    private final List<GenlFamily> families;
    private final Predicate<NetlinkSocket> privileged;
    private final KernelCounters counters;

    GenericNetlink(List<GenlFamily> families, Predicate<NetlinkSocket> privileged, KernelCounters counters) {
        this.families = List.copyOf(families);
        this.privileged = privileged;
        this.counters = counters;
    }

    void receive(NetlinkSocket socket, NetlinkMessage m) {
        GenlFamily.ReplySink out = new GenlFamily.ReplySink() {
            @Override
            public int reply(NetlinkMessage message) {
                return reply(message.toBytes());
            }

            @Override
            public int reply(byte[] message) {
                Delivery d = socket.deliver(message);
                counters.reply(d);
                return d.queued() ? 0 : Errno.EAGAIN.negative();
            }
        };
        int err = 0;
        if (m.hasFlag(Netlink.NLM_F_REQUEST) && m.type() >= Netlink.NLMSG_MIN_TYPE) err = dispatch(socket, m, out);
        if (err == DUMP_STARTED) {
            counters.request(false);
            return;
        }
        counters.request(err != 0);
        if (m.hasFlag(Netlink.NLM_F_ACK) || err != 0) out.reply(NetlinkError.ackFor(m, err, socket.portId()));
    }

    private int dispatch(NetlinkSocket socket, NetlinkMessage m, GenlFamily.ReplySink out) {
        GenlFamily family = byId(m.type());
        if (family == null) return Errno.ENOENT.negative();
        if (m.length() < Netlink.NLMSG_HDRLEN + Netlink.GENL_HDRLEN + family.hdrsize()) return Errno.EINVAL.negative();
        byte[] p = m.payload();
        int cmd = p[0] & 0xFF;
        int version = p[1] & 0xFF;
        int reserved = (p[2] & 0xFF) | (p[3] & 0xFF) << 8;
        if (cmd >= family.resvStartOp() && reserved != 0) return Errno.EINVAL.negative();
        boolean dump = (m.flags() & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
        GenlFamily.Op op = family.op(cmd).filter(o -> dump ? o.dumpit() : o.doit()).orElse(null);
        if (op == null) return Errno.EOPNOTSUPP.negative();
        if (op.adminPerm() && !privileged.test(socket)) return Errno.EPERM.negative();
        if (dump) {
            family.dumpit(new GenlRequest(m, cmd, version, reserved, new NlAttribute[0], socket), out);
            return DUMP_STARTED;
        }
        NlAttribute[] attrs = new NlAttribute[op.maxattr() + 1];
        Errno invalid = parse(m, op.policy(), attrs);
        if (invalid != null) return invalid.negative();
        return family.doit(new GenlRequest(m, cmd, version, reserved, attrs, socket), out);
    }

    /** {@code __nlmsg_parse} in liberal mode: trailing bytes and unknown types ignored, last duplicate wins. */
    private static Errno parse(NetlinkMessage m, Map<Integer, AttrPolicy> policy, NlAttribute[] attrs) {
        AttributeList list;
        try {
            list = AttributeList.parse(java.nio.ByteBuffer.wrap(m.payload(), Netlink.GENL_HDRLEN, m.payload().length - Netlink.GENL_HDRLEN), false);
        } catch (MalformedMessageException e) {
            return Errno.EINVAL; // not thrown in liberal mode
        }
        for (NlAttribute a : list.attributes()) {
            int type = a.type();
            if (type == 0 || type >= attrs.length) continue;
            AttrPolicy p = policy.get(type);
            if (p == null) continue;
            Errno e = p.validate(a);
            if (e != null) return e;
            attrs[type] = a;
        }
        return null;
    }

    GenlFamily byId(int id) {
        for (GenlFamily f : families) if (f.id() == id) return f;
        return null;
    }

    GenlFamily byName(String name) {
        for (GenlFamily f : families) if (f.name().equals(name)) return f;
        return null;
    }

    List<GenlFamily> families() {
        return families;
    }
}
