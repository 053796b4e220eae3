package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.emulator.live.netlink.NativeErrnoException;
import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.netlink.U32;
import io.tsfleet.protocol.sock.SockProtocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Serves the {@code TSFLEET_SOCK} family for one connection of the live backend: the in-band socket options map to
 * real {@code setsockopt}/{@code getsockopt}/{@code getsockname} calls on the connection's kernel socket, and
 * {@code CMD_AUTH} to the connection's {@link ConnectionPrivilege}; {@code CMD_GET} also names the node and its
 * kernel's current boot ({@link NodeIdentity}) to a privileged connection. The broker's extension
 * {@link SockProtocol#ATTR_RECV_PAUSED} (pause/resume reading, for exact overflow over TCP) is served too.
 *
 * <p>Checks run in generic netlink's order, with its errnos, as the emulated kernel's {@code SockFamily} does: a
 * message without a full genl header {@code -EINVAL}; an unknown command or a dump {@code -EOPNOTSUPP}; the
 * attribute policy ({@code GENL_DONT_VALIDATE_STRICT}: u32 attributes need 4 bytes, {@code DROPS} and
 * {@code SEQ_EPOCH} 8, the token 1 to 255 characters, {@code NODE} 1 to 253, {@code BOOT_ID} 1 to 36, otherwise
 * {@code -ERANGE}); then the command: {@code SO_RCVBUFFORCE} from an unprivileged
 * connection {@code -EPERM}, a {@code CMD_SET} without options {@code -EINVAL}, a wrong token {@code -EPERM}. A
 * {@code CMD_SET} is checked completely before any option is applied, so a refused one changes nothing.
 */
final class TsfleetSockHandler {
    private static final int MAX_TOKEN_LENGTH = 255;
    private static final Set<Integer> U32_ATTRIBUTES = Set.of(SockProtocol.ATTR_RCVBUF, SockProtocol.ATTR_NO_ENOBUFS,
            SockProtocol.ATTR_PORT_ID, SockProtocol.ATTR_AUTHENTICATED, SockProtocol.ATTR_RMEM, SockProtocol.ATTR_RCVBUFFORCE,
            SockProtocol.ATTR_RECV_PAUSED);

    private final int familyId;
    /** {@code ATTR_SEQ_EPOCH}: the run of the kernel's sequence counters, derived from the node's boot id. */
    private final byte[] seqEpoch;
    private final NodeIdentity node;

    /** {@code node}: the node this backend serves and its kernel's current boot ({@code ATTR_NODE}, {@code ATTR_BOOT_ID}, {@code ATTR_SEQ_EPOCH}). */
    TsfleetSockHandler(int familyId, NodeIdentity node) {
        this.familyId = familyId;
        this.node = node;
        this.seqEpoch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(node.seqEpoch()).array();
    }

    int familyId() {
        return familyId;
    }

    List<NetlinkMessage> handle(NetlinkMessage request, SocketControl socket, ConnectionPrivilege privilege) throws IOException {
        int portId = socket.portId();
        if (!LocalReplies.isRequest(request)) return LocalReplies.notExecuted(request, portId);
        GenlMessage genl;
        AttributeList attrs;
        try {
            genl = GenlMessage.of(request);
            attrs = genl.attributes(false);
        } catch (MalformedMessageException e) {
            return LocalReplies.error(request, Errno.EINVAL.code(), portId);
        }
        int cmd = genl.cmd();
        if (cmd != SockProtocol.CMD_GET && cmd != SockProtocol.CMD_SET && cmd != SockProtocol.CMD_AUTH) {
            return LocalReplies.error(request, Errno.EOPNOTSUPP.code(), portId);
        }
        if (LocalReplies.isDump(request)) return LocalReplies.error(request, Errno.EOPNOTSUPP.code(), portId);
        Errno policy = policyViolation(attrs);
        if (policy != null) return LocalReplies.error(request, policy.code(), portId);
        try {
            return switch (cmd) {
                case SockProtocol.CMD_GET -> LocalReplies.success(request, portId, List.of(describe(request, socket, privilege)));
                case SockProtocol.CMD_SET -> set(request, attrs, socket, privilege);
                default -> auth(request, attrs, portId, privilege);
            };
        } catch (NativeErrnoException e) {
            return LocalReplies.error(request, e.errno(), portId);
        }
    }

    /** {@code validate_nla} over every attribute (duplicates included) in liberal mode. */
    private static Errno policyViolation(AttributeList attrs) {
        for (NlAttribute a : attrs.attributes()) {
            int len = a.value().length;
            if (U32_ATTRIBUTES.contains(a.type()) && len < 4) return Errno.ERANGE;
            if ((a.type() == SockProtocol.ATTR_DROPS || a.type() == SockProtocol.ATTR_SEQ_EPOCH) && len < 8) return Errno.ERANGE;
            int maxChars = switch (a.type()) {
                case SockProtocol.ATTR_TOKEN -> MAX_TOKEN_LENGTH;
                case SockProtocol.ATTR_NODE -> SockProtocol.MAX_NODE_NAME_LENGTH;
                case SockProtocol.ATTR_BOOT_ID -> SockProtocol.BOOT_ID_LENGTH;
                default -> -1;
            };
            if (maxChars >= 0) {
                int chars = len > 0 && a.value()[len - 1] == 0 ? len - 1 : len;
                if (len < 1 || chars > maxChars) return Errno.ERANGE;
            }
        }
        return null;
    }

    private NetlinkMessage describe(NetlinkMessage request, SocketControl socket, ConnectionPrivilege privilege) throws IOException {
        SocketControl.QueueState q = socket.queueState();
        byte[] drops = new byte[8];
        ByteBuffer.wrap(drops).order(ByteOrder.LITTLE_ENDIAN).putLong(q.drops());
        MessageBuilder answer = MessageBuilder.genl(SockProtocol.CMD_NEW, SockProtocol.GENL_VERSION)
                .u32(SockProtocol.ATTR_RCVBUF, socket.receiveBuffer())
                .u32(SockProtocol.ATTR_NO_ENOBUFS, socket.noEnobufs() ? 1 : 0)
                .u32(SockProtocol.ATTR_PORT_ID, U32.toLong(socket.portId()))
                .u32(SockProtocol.ATTR_AUTHENTICATED, privilege.privileged() ? 1 : 0)
                .u32(SockProtocol.ATTR_RMEM, Math.min(q.rmem(), U32.MAX))
                .attribute(SockProtocol.ATTR_DROPS, drops)
                .u32(SockProtocol.ATTR_RECV_PAUSED, socket.recvPaused() ? 1 : 0)
                .attribute(SockProtocol.ATTR_SEQ_EPOCH, seqEpoch);
        // which node and boot: only to a connection that may read the node's exits (it learns them from the records anyway)
        if (privilege.privileged()) answer.string(SockProtocol.ATTR_NODE, node.name()).string(SockProtocol.ATTR_BOOT_ID, node.bootId());
        return answer.build(familyId, 0, request.seq(), socket.portId());
    }

    private List<NetlinkMessage> set(NetlinkMessage request, AttributeList attrs, SocketControl socket, ConnectionPrivilege privilege)
            throws IOException {
        int portId = socket.portId();
        Optional<NlAttribute> rcvbuf = attrs.last(SockProtocol.ATTR_RCVBUF);
        Optional<NlAttribute> force = attrs.last(SockProtocol.ATTR_RCVBUFFORCE);
        Optional<NlAttribute> noEnobufs = attrs.last(SockProtocol.ATTR_NO_ENOBUFS);
        Optional<NlAttribute> paused = attrs.last(SockProtocol.ATTR_RECV_PAUSED);
        if (rcvbuf.isEmpty() && force.isEmpty() && noEnobufs.isEmpty() && paused.isEmpty()) return LocalReplies.error(request, Errno.EINVAL.code(), portId);
        if (force.isPresent() && !privilege.privileged()) return LocalReplies.error(request, Errno.EPERM.code(), portId);
        if (rcvbuf.isPresent()) socket.setReceiveBuffer((int) rcvbuf.get().u32(), false);
        if (force.isPresent()) socket.setReceiveBuffer((int) force.get().u32(), true);
        if (noEnobufs.isPresent()) socket.setNoEnobufs(noEnobufs.get().u32() != 0);
        if (paused.isPresent()) socket.requestRecvPaused(paused.get().u32() != 0);
        return LocalReplies.success(request, portId, List.of());
    }

    private static List<NetlinkMessage> auth(NetlinkMessage request, AttributeList attrs, int portId, ConnectionPrivilege privilege) {
        Optional<NlAttribute> token = attrs.last(SockProtocol.ATTR_TOKEN);
        if (token.isEmpty()) return LocalReplies.error(request, Errno.EINVAL.code(), portId);
        byte[] presented = token.get().string().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (!privilege.authenticate(presented)) return LocalReplies.error(request, Errno.EPERM.code(), portId);
        return LocalReplies.success(request, portId, List.of());
    }
}
