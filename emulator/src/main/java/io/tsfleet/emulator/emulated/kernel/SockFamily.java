package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.netlink.U32;
import io.tsfleet.protocol.sock.SockProtocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The {@code TSFLEET_SOCK} family: socket options, {@code getsockname} and authentication in band (see
 * {@link SockProtocol}); {@code CMD_GET} also names the node ({@link KernelConfig#nodeName}) and this boot
 * ({@link EmulatedKernel#bootId}) to a privileged connection. SET applies all its options or none: a privileged option without privilege is
 * EPERM and changes nothing.
 */
final class SockFamily extends GenlFamily {
    private static final Map<Integer, AttrPolicy> POLICY = policy();

    private final KernelConfig config;
    private final Predicate<NetlinkSocket> privileged;

    /** The run of this emulated kernel's sequence counters, from its boot id: random per emulator start, never 0. */
    private final byte[] seqEpoch;
    /** {@code ATTR_NODE} and {@code ATTR_BOOT_ID}: the configured node name and this boot's id. */
    private final String nodeName;
    private final String bootId;

    SockFamily(int id, KernelConfig config, Predicate<NetlinkSocket> privileged, UUID bootId) {
        super(SockProtocol.FAMILY_NAME, id, SockProtocol.GENL_VERSION, SockProtocol.CMD_AUTH + 1, List.of(
                new Op(SockProtocol.CMD_GET, false, true, false, POLICY),
                new Op(SockProtocol.CMD_SET, false, true, false, POLICY),
                new Op(SockProtocol.CMD_AUTH, false, true, false, POLICY)));
        this.config = config;
        this.privileged = privileged;
        this.seqEpoch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(SockProtocol.seqEpochOf(bootId)).array();
        this.nodeName = config.nodeName();
        this.bootId = bootId.toString();
    }

    private static Map<Integer, AttrPolicy> policy() {
        Map<Integer, AttrPolicy> p = new HashMap<>();
        p.put(SockProtocol.ATTR_RCVBUF, AttrPolicy.u32());
        p.put(SockProtocol.ATTR_NO_ENOBUFS, AttrPolicy.u32());
        p.put(SockProtocol.ATTR_PORT_ID, AttrPolicy.u32());
        p.put(SockProtocol.ATTR_TOKEN, AttrPolicy.string(255));
        p.put(SockProtocol.ATTR_AUTHENTICATED, AttrPolicy.u32());
        p.put(SockProtocol.ATTR_RMEM, AttrPolicy.u32());
        p.put(SockProtocol.ATTR_DROPS, AttrPolicy.u64());
        p.put(SockProtocol.ATTR_RCVBUFFORCE, AttrPolicy.u32());
        p.put(SockProtocol.ATTR_RECV_PAUSED, AttrPolicy.u32());
        p.put(SockProtocol.ATTR_SEQ_EPOCH, AttrPolicy.u64());
        p.put(SockProtocol.ATTR_NODE, AttrPolicy.string(SockProtocol.MAX_NODE_NAME_LENGTH));
        p.put(SockProtocol.ATTR_BOOT_ID, AttrPolicy.string(SockProtocol.BOOT_ID_LENGTH));
        return Map.copyOf(p);
    }

    @Override
    int doit(GenlRequest r, ReplySink out) {
        return switch (r.cmd()) {
            case SockProtocol.CMD_GET -> get(r, out);
            case SockProtocol.CMD_SET -> set(r);
            case SockProtocol.CMD_AUTH -> auth(r);
            default -> Errno.EOPNOTSUPP.negative();
        };
    }

    private int get(GenlRequest r, ReplySink out) {
        NetlinkSocket.SocketState s = r.socket().state();
        byte[] drops = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(s.drops()).array();
        boolean authenticated = privileged.test(r.socket());
        MessageBuilder answer = MessageBuilder.genl(SockProtocol.CMD_NEW, SockProtocol.GENL_VERSION)
                .u32(SockProtocol.ATTR_RCVBUF, s.rcvbuf())
                .u32(SockProtocol.ATTR_NO_ENOBUFS, s.noEnobufs() ? 1 : 0)
                .u32(SockProtocol.ATTR_PORT_ID, U32.toLong(s.portId()))
                .u32(SockProtocol.ATTR_AUTHENTICATED, authenticated ? 1 : 0)
                .u32(SockProtocol.ATTR_RMEM, s.rmem())
                .attribute(SockProtocol.ATTR_DROPS, drops)
                .u32(SockProtocol.ATTR_RECV_PAUSED, r.socket().recvPaused() ? 1 : 0)
                .attribute(SockProtocol.ATTR_SEQ_EPOCH, seqEpoch);
        // which node and boot: only to a connection that may read the node's exits (it learns them from the records anyway)
        if (authenticated) answer.string(SockProtocol.ATTR_NODE, nodeName).string(SockProtocol.ATTR_BOOT_ID, bootId);
        return out.reply(answer.build(id(), 0, r.seq(), r.socket().portId()));
    }

    private int set(GenlRequest r) {
        NlAttribute rcvbuf = r.attr(SockProtocol.ATTR_RCVBUF);
        NlAttribute force = r.attr(SockProtocol.ATTR_RCVBUFFORCE);
        NlAttribute noEnobufs = r.attr(SockProtocol.ATTR_NO_ENOBUFS);
        NlAttribute paused = r.attr(SockProtocol.ATTR_RECV_PAUSED);
        if (rcvbuf == null && force == null && noEnobufs == null && paused == null) return Errno.EINVAL.negative();
        if (force != null && !privileged.test(r.socket())) return Errno.EPERM.negative();
        // setsockopt takes an int: values above INT_MAX are negative there and clamp to the minimum
        if (rcvbuf != null) r.socket().setRcvbuf((int) rcvbuf.u32(), config.rmemMax(), false);
        if (force != null) r.socket().setRcvbuf((int) force.u32(), config.rmemMax(), true);
        if (noEnobufs != null) r.socket().setNoEnobufs(noEnobufs.u32() != 0);
        if (paused != null) {
            r.socket().setRecvPaused(paused.u32() != 0, r.message().hasFlag(io.tsfleet.protocol.netlink.Netlink.NLM_F_ACK), r.seq());
        }
        return 0;
    }

    private int auth(GenlRequest r) {
        NlAttribute token = r.attr(SockProtocol.ATTR_TOKEN);
        if (token == null) return Errno.EINVAL.negative();
        if (config.token() == null) {
            r.socket().authenticate();
            return 0;
        }
        byte[] given = token.string().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, config.token().getBytes(StandardCharsets.UTF_8))) return Errno.EPERM.negative();
        r.socket().authenticate();
        return 0;
    }
}
