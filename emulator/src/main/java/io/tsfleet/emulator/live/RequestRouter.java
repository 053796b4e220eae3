package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.emulator.live.netlink.ResolvedFamily;
import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides, for each message a client sends, whether the live kernel answers it or the backend does. The broker
 * exposes exactly three generic netlink families: the controller, {@code TASKSTATS} (the kernel's, passed through
 * with its real id) and {@code TSFLEET_SOCK} (served here). Everything else a root-owned netlink socket could reach
 * is hidden:
 * <ul>
 *   <li>netlink control types below {@code NLMSG_MIN_TYPE}: to the kernel (it only acks them);</li>
 *   <li>controller {@code CTRL_CMD_GETFAMILY} by name or id: {@code TSFLEET_SOCK} is answered here; {@code TASKSTATS}
 *       and {@code nlctrl} go to the kernel; any other family is {@code -ENOENT}, as if it did not exist. A
 *       {@code GETFAMILY} dump is answered here with TASKSTATS and TSFLEET_SOCK. Requests the controller's policy
 *       would reject (no name/id, a malformed name) and other controller commands go to the kernel, which gives its
 *       own errors;</li>
 *   <li>the TASKSTATS family: to the kernel, except {@code TASKSTATS_CMD_GET} from an unprivileged connection, which
 *       gets {@code -EPERM} here, exactly what the kernel answers a process without CAP_NET_ADMIN;</li>
 *   <li>the {@code TSFLEET_SOCK} id: {@link TsfleetSockHandler};</li>
 *   <li>any other type: {@code -ENOENT} (the kernel's answer for an unknown generic netlink family).</li>
 * </ul>
 */
final class RequestRouter {
    /** {@code GENL_NAMSIZ}: a family name is at most 15 characters and a NUL. */
    private static final int GENL_NAMSIZ = 16;
    private static final String CTRL_NAME = "nlctrl";

    private final ResolvedFamily taskstats;
    private final ResolvedFamily sockFamily;
    private final TsfleetSockHandler sock;

    RequestRouter(ResolvedFamily taskstats, int sockFamilyId, NodeIdentity node) {
        this.taskstats = taskstats;
        this.sockFamily = ControllerReplies.sockFamily(sockFamilyId);
        this.sock = new TsfleetSockHandler(sockFamilyId, node);
    }

    /** What happens to one message. */
    sealed interface Route {
    }

    /** Send it to the kernel socket; the kernel's answer arrives on the socket. */
    record Forward(boolean mayRegister) implements Route {
    }

    /** The backend's own answer (possibly none). */
    record Answer(List<NetlinkMessage> messages) implements Route {
    }

    int taskstatsFamilyId() {
        return taskstats.id();
    }

    int sockFamilyId() {
        return sockFamily.id();
    }

    Route route(NetlinkMessage request, SocketControl socket, ConnectionPrivilege privilege) throws IOException {
        int type = request.type();
        if (type < Netlink.NLMSG_MIN_TYPE) return new Forward(false);
        if (type == Netlink.GENL_ID_CTRL) return controller(request, socket.portId());
        if (type == taskstats.id()) return taskstats(request, socket.portId(), privilege);
        if (type == sockFamily.id()) return new Answer(sock.handle(request, socket, privilege));
        if (!LocalReplies.isRequest(request)) return new Answer(LocalReplies.notExecuted(request, socket.portId()));
        return new Answer(LocalReplies.error(request, Errno.ENOENT.code(), socket.portId()));
    }

    private Route taskstats(NetlinkMessage request, int portId, ConnectionPrivilege privilege) {
        boolean executed = LocalReplies.isRequest(request) && request.payload().length >= Netlink.GENL_HDRLEN;
        boolean cmdGet = executed && Byte.toUnsignedInt(request.payload()[0]) == TaskstatsProtocol.CMD_GET;
        if (cmdGet && !privilege.privileged()) return new Answer(LocalReplies.error(request, Errno.EPERM.code(), portId));
        return new Forward(cmdGet);
    }

    private Route controller(NetlinkMessage request, int portId) {
        if (!LocalReplies.isRequest(request)) return new Forward(false);
        GenlMessage genl;
        AttributeList attrs;
        try {
            genl = GenlMessage.of(request);
            attrs = genl.attributes(false);
        } catch (MalformedMessageException e) {
            return new Forward(false);
        }
        if (genl.cmd() != Netlink.CTRL_CMD_GETFAMILY) return new Forward(false);
        if (LocalReplies.isDump(request)) return new Answer(dump(request, portId));
        Optional<NlAttribute> name = attrs.last(Netlink.CTRL_ATTR_FAMILY_NAME);
        Optional<NlAttribute> id = attrs.last(Netlink.CTRL_ATTR_FAMILY_ID);
        Optional<String> target;
        if (name.isPresent()) {
            // the kernel looks the name up last, so it wins over an id; leave policy violations to the kernel
            if (!wellFormedName(name.get())) return new Forward(false);
            target = Optional.of(name.get().string());
        } else if (id.isPresent()) {
            if (id.get().value().length < 2) return new Forward(false);
            target = familyNameOf(Short.toUnsignedInt(id.get().valueBuffer().getShort(0)));
        } else {
            return new Forward(false);
        }
        if (target.isPresent() && target.get().equals(SockProtocol.FAMILY_NAME)) {
            NetlinkMessage reply = ControllerReplies.newFamily(sockFamily, 0, request.seq(), portId);
            return new Answer(LocalReplies.success(request, portId, List.of(reply)));
        }
        if (target.isPresent() && (target.get().equals(TaskstatsProtocol.FAMILY_NAME) || target.get().equals(CTRL_NAME))) {
            return new Forward(false);
        }
        return new Answer(LocalReplies.error(request, Errno.ENOENT.code(), portId));
    }

    private Optional<String> familyNameOf(int id) {
        if (id == sockFamily.id()) return Optional.of(SockProtocol.FAMILY_NAME);
        if (id == taskstats.id()) return Optional.of(TaskstatsProtocol.FAMILY_NAME);
        if (id == Netlink.GENL_ID_CTRL) return Optional.of(CTRL_NAME);
        return Optional.empty();
    }

    /**
     * The controller's policy for the name ({@code NLA_NUL_STRING}, {@code len = GENL_NAMSIZ - 1}, as
     * {@code validate_nla} checks it): a NUL within the first 16 bytes, and at most 15 bytes without a trailing NUL.
     */
    private static boolean wellFormedName(NlAttribute a) {
        byte[] v = a.value();
        int window = Math.min(v.length, GENL_NAMSIZ);
        boolean hasNul = false;
        for (int i = 0; i < window && !hasNul; i++) hasNul = v[i] == 0;
        int len = v.length > 0 && v[v.length - 1] == 0 ? v.length - 1 : v.length;
        return hasNul && len <= GENL_NAMSIZ - 1;
    }

    private List<NetlinkMessage> dump(NetlinkMessage request, int portId) {
        List<NetlinkMessage> out = new ArrayList<>();
        out.add(ControllerReplies.newFamily(taskstats, Netlink.NLM_F_MULTI, request.seq(), portId));
        out.add(ControllerReplies.newFamily(sockFamily, Netlink.NLM_F_MULTI, request.seq(), portId));
        out.add(ControllerReplies.done(request.seq(), portId));
        return List.copyOf(out);
    }
}
