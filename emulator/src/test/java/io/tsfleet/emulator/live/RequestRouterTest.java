package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.emulator.live.netlink.ResolvedFamily;
import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the backend answers itself and what it forwards: plain Java, no kernel. */
class RequestRouterTest {
    private static final int PORT = 4242;
    private static final ResolvedFamily TASKSTATS = new ResolvedFamily(31, "TASKSTATS", 1, 0, 0,
            List.of(new ResolvedFamily.Operation(1, 0x0b), new ResolvedFamily.Operation(4, 0x0a)), false);
    private static final int SOCK = KernelBackendSettings.DEFAULT_SOCK_FAMILY_ID;

    private static final NodeIdentity NODE = new NodeIdentity("worker-9.zone-c", "6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b");

    private final RequestRouter router = new RequestRouter(TASKSTATS, SOCK, NODE);
    private final FakeSocketControl socket = new FakeSocketControl(PORT, 4_194_304);
    private final ConnectionPrivilege loopback = ConnectionPrivilege.admit(new InetSocketAddress("127.0.0.1", 1), null);

    @Test
    void getFamilyOfTsfleetSockIsAnsweredWithTheKernelsLayout() throws Exception {
        NetlinkMessage req = Requests.getFamily(SockProtocol.FAMILY_NAME);
        List<NetlinkMessage> out = answer(router.route(req, socket, loopback));
        assertThat(out).hasSize(2);
        NetlinkMessage reply = out.getFirst();
        assertThat(reply.type()).isEqualTo(Netlink.GENL_ID_CTRL);
        assertThat(reply.seq()).isEqualTo(req.seq());
        assertThat(reply.portId()).isEqualTo(PORT);
        GenlMessage g = GenlMessage.of(reply);
        assertThat(g.cmd()).isEqualTo(Netlink.CTRL_CMD_NEWFAMILY);
        assertThat(g.version()).isEqualTo(ControllerReplies.CTRL_VERSION);
        ResolvedFamily f = ResolvedFamily.decode(reply);
        assertThat(f.id()).isEqualTo(SOCK);
        assertThat(f.operations()).allSatisfy(op -> assertThat(op.flags()).isEqualTo(Netlink.GENL_CMD_CAP_DO | Netlink.GENL_CMD_CAP_HASPOL));
        assertThat(NetlinkError.decode(out.get(1)).error()).isZero();
        assertThat(out.get(1).flags()).isEqualTo(Netlink.NLM_F_CAPPED);
    }

    @Test
    void getFamilyByIdFindsTheSockFamilyToo() throws Exception {
        NetlinkMessage req = MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).u16(Netlink.CTRL_ATTR_FAMILY_ID, SOCK)
                .build(Netlink.GENL_ID_CTRL, Netlink.NLM_F_REQUEST, 5, 0);
        List<NetlinkMessage> out = answer(router.route(req, socket, loopback));
        assertThat(out).singleElement().satisfies(m -> assertThat(ResolvedFamily.decode(m).name()).isEqualTo(SockProtocol.FAMILY_NAME));
    }

    @Test
    void theKernelAnswersForTaskstatsTheControllerAndPolicyViolations() throws Exception {
        assertThat(router.route(Requests.getFamily("TASKSTATS"), socket, loopback)).isInstanceOf(RequestRouter.Forward.class);
        assertThat(router.route(Requests.getFamily("nlctrl"), socket, loopback)).isInstanceOf(RequestRouter.Forward.class);
        NetlinkMessage unterminated = MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1)
                .attribute(Netlink.CTRL_ATTR_FAMILY_NAME, "TSFLEET_SOCK".getBytes()).build(Netlink.GENL_ID_CTRL, Requests.REQUEST_ACK, 6, 0);
        assertThat(router.route(unterminated, socket, loopback)).isInstanceOf(RequestRouter.Forward.class);
        NetlinkMessage tooLong = Requests.getFamily("TSFLEET_SOCK_AND_MORE");
        assertThat(router.route(tooLong, socket, loopback)).isInstanceOf(RequestRouter.Forward.class);
        NetlinkMessage noop = new NetlinkMessage(Netlink.NLMSG_NOOP, Requests.REQUEST_ACK, 7, 0, new byte[0]);
        assertThat(router.route(noop, socket, loopback)).isInstanceOf(RequestRouter.Forward.class);
    }

    @Test
    void otherFamiliesDoNotExistBehindTheBroker() throws Exception {
        List<NetlinkMessage> byName = answer(router.route(Requests.getFamily("nl80211"), socket, loopback));
        assertThat(NetlinkError.decode(byName.getFirst()).error()).isEqualTo(Errno.ENOENT.negative());
        NetlinkMessage direct = MessageBuilder.genl(1, 1).build(0x1c, Netlink.NLM_F_REQUEST, 8, 0);
        NetlinkError e = NetlinkError.decode(answer(router.route(direct, socket, loopback)).getFirst());
        assertThat(e.error()).isEqualTo(Errno.ENOENT.negative());
        assertThat(e.echoedPayload()).isEqualTo(direct.payload());
        NetlinkMessage notARequest = MessageBuilder.genl(1, 1).build(0x1c, 0, 9, 0);
        assertThat(answer(router.route(notARequest, socket, loopback))).isEmpty();
    }

    @Test
    void unprivilegedTaskstatsCommandsGetEpermBeforeReachingTheKernel() throws Exception {
        ConnectionPrivilege remote = ConnectionPrivilege.admit(new InetSocketAddress("192.0.2.1", 1), "tok");
        NetlinkMessage register = Requests.register(TASKSTATS.id(), "0");
        NetlinkError e = NetlinkError.decode(answer(router.route(register, socket, remote)).getFirst());
        assertThat(e.error()).isEqualTo(Errno.EPERM.negative());
        assertThat(e.requestSeq()).isEqualTo(register.seq());
        NetlinkMessage cgroupstats = MessageBuilder.genl(TaskstatsProtocol.CGROUPSTATS_CMD_GET, 1).u32(1, 3)
                .build(TASKSTATS.id(), Requests.REQUEST_ACK, 10, 0);
        assertThat(router.route(cgroupstats, socket, remote)).isEqualTo(new RequestRouter.Forward(false));
        assertThat(router.route(register, socket, loopback)).isEqualTo(new RequestRouter.Forward(true));
    }

    @Test
    void sockSetIsAllOrNothingWithTheKernelsErrnos() throws Exception {
        ConnectionPrivilege remote = ConnectionPrivilege.admit(new InetSocketAddress("192.0.2.1", 1), "tok");
        NetlinkMessage forceAndPlain = MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(SockProtocol.ATTR_RCVBUF, 1)
                .u32(SockProtocol.ATTR_RCVBUFFORCE, 1 << 24).build(SOCK, Requests.REQUEST_ACK, 11, 0);
        assertThat(errno(router.route(forceAndPlain, socket, remote))).isEqualTo(Errno.EPERM.negative());
        NetlinkMessage shortThenGood = MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(SockProtocol.ATTR_RCVBUF, 1)
                .attribute(SockProtocol.ATTR_NO_ENOBUFS, new byte[] {1}).build(SOCK, Requests.REQUEST_ACK, 12, 0);
        assertThat(errno(router.route(shortThenGood, socket, loopback))).isEqualTo(Errno.ERANGE.negative());
        assertThat(socket.setsockoptCalls).isZero();
        assertThat(socket.rcvbuf).isEqualTo(SockProtocol.DEFAULT_RMEM);

        NetlinkMessage longNode = MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(SockProtocol.ATTR_RCVBUF, 1)
                .string(SockProtocol.ATTR_NODE, "n".repeat(SockProtocol.MAX_NODE_NAME_LENGTH + 1)).build(SOCK, Requests.REQUEST_ACK, 12, 0);
        assertThat(errno(router.route(longNode, socket, loopback))).as("the emulated kernel's NLA_STRING policy").isEqualTo(Errno.ERANGE.negative());
        NetlinkMessage longBoot = MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(SockProtocol.ATTR_RCVBUF, 1)
                .string(SockProtocol.ATTR_BOOT_ID, NODE.bootId() + "0").build(SOCK, Requests.REQUEST_ACK, 12, 0);
        assertThat(errno(router.route(longBoot, socket, loopback))).isEqualTo(Errno.ERANGE.negative());
        assertThat(socket.setsockoptCalls).isZero();

        socket.failSetsockoptWith = Errno.ENOMEM.code();
        assertThat(errno(router.route(Requests.sockSetRcvbuf(SOCK, 1, false), socket, loopback))).isEqualTo(Errno.ENOMEM.negative());
        socket.failSetsockoptWith = null;
        assertThat(errno(router.route(Requests.sockSetRcvbuf(SOCK, 1, false), socket, loopback))).isZero();
        assertThat(socket.rcvbuf).isEqualTo(SockProtocol.MIN_RCVBUF);
    }

    @Test
    void sockGetReportsTheSocketAndDumpsOrUnknownCommandsAreNotSupported() throws Exception {
        List<NetlinkMessage> out = answer(router.route(Requests.sockGet(SOCK), socket, loopback));
        AttributeList a = GenlMessage.of(out.getFirst()).attributes(true);
        assertThat(GenlMessage.of(out.getFirst()).cmd()).isEqualTo(SockProtocol.CMD_NEW);
        assertThat(a.require(SockProtocol.ATTR_PORT_ID).u32()).isEqualTo(PORT);
        assertThat(a.require(SockProtocol.ATTR_RMEM).u32()).isEqualTo(1280);
        assertThat(a.require(SockProtocol.ATTR_DROPS).valueBuffer().getLong(0)).isEqualTo(3);
        assertThat(a.require(SockProtocol.ATTR_RECV_PAUSED).u32()).isZero();
        assertThat(a.require(SockProtocol.ATTR_NODE).string()).isEqualTo("worker-9.zone-c");
        assertThat(a.require(SockProtocol.ATTR_BOOT_ID).string()).isEqualTo("6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b");
        assertThat(a.require(SockProtocol.ATTR_SEQ_EPOCH).valueBuffer().getLong(0)).as("the boot's epoch").isEqualTo(NODE.seqEpoch());
        NetlinkMessage dump = MessageBuilder.genl(SockProtocol.CMD_GET, 1).build(SOCK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, 13, 0);
        assertThat(errno(router.route(dump, socket, loopback))).isEqualTo(Errno.EOPNOTSUPP.negative());
        NetlinkMessage headerless = new NetlinkMessage(SOCK, Requests.REQUEST_ACK, 14, 0, new byte[2]);
        assertThat(errno(router.route(headerless, socket, loopback))).isEqualTo(Errno.EINVAL.negative());
    }

    @Test
    void theNodeAndItsBootAreToldOnlyToAPrivilegedConnection() throws Exception {
        ConnectionPrivilege remote = ConnectionPrivilege.admit(new InetSocketAddress("192.0.2.1", 1), "tok");
        AttributeList before = GenlMessage.of(answer(router.route(Requests.sockGet(SOCK), socket, remote)).getFirst()).attributes(true);
        assertThat(before.require(SockProtocol.ATTR_AUTHENTICATED).u32()).isZero();
        assertThat(before.last(SockProtocol.ATTR_NODE)).isEmpty();
        assertThat(before.last(SockProtocol.ATTR_BOOT_ID)).isEmpty();
        NetlinkMessage auth = MessageBuilder.genl(SockProtocol.CMD_AUTH, 1).string(SockProtocol.ATTR_TOKEN, "tok")
                .build(SOCK, Requests.REQUEST_ACK, 30, 0);
        assertThat(errno(router.route(auth, socket, remote))).isZero();
        AttributeList after = GenlMessage.of(answer(router.route(Requests.sockGet(SOCK), socket, remote)).getFirst()).attributes(true);
        assertThat(after.require(SockProtocol.ATTR_NODE).string()).isEqualTo(NODE.name());
        assertThat(after.require(SockProtocol.ATTR_BOOT_ID).string()).isEqualTo(NODE.bootId());
    }

    @Test
    void recvPausedIsRequestedFromTheSessionOnlyWhenTheSetSucceeds() throws Exception {
        NetlinkMessage pause = MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(SockProtocol.ATTR_RECV_PAUSED, 1)
                .build(SOCK, Requests.REQUEST_ACK, 15, 0);
        assertThat(errno(router.route(pause, socket, loopback))).isZero();
        assertThat(socket.requestedPause).isTrue();
        socket.requestedPause = null;
        socket.failSetsockoptWith = Errno.EPERM.code();
        NetlinkMessage failing = MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(SockProtocol.ATTR_RCVBUF, 1)
                .u32(SockProtocol.ATTR_RECV_PAUSED, 1).build(SOCK, Requests.REQUEST_ACK, 16, 0);
        assertThat(errno(router.route(failing, socket, loopback))).isEqualTo(Errno.EPERM.negative());
        assertThat(socket.requestedPause).isNull();
    }

    @Test
    void authWithTheRightTokenMakesTheConnectionPrivileged() throws Exception {
        ConnectionPrivilege remote = ConnectionPrivilege.admit(new InetSocketAddress("192.0.2.1", 1), "tok");
        assertThat(errno(router.route(Requests.auth(SOCK, "tak"), socket, remote))).isEqualTo(Errno.EPERM.negative());
        assertThat(remote.privileged()).isFalse();
        NetlinkMessage noToken = MessageBuilder.genl(SockProtocol.CMD_AUTH, 1).build(SOCK, Requests.REQUEST_ACK, 17, 0);
        assertThat(errno(router.route(noToken, socket, remote))).isEqualTo(Errno.EINVAL.negative());
        assertThat(errno(router.route(Requests.auth(SOCK, "tok"), socket, remote))).isZero();
        assertThat(remote.privileged()).isTrue();
    }

    @Test
    void nonLoopbackClientsNeedAConfiguredToken() {
        assertThatThrownBy(() -> ConnectionPrivilege.admit(new InetSocketAddress("192.0.2.1", 1), null))
                .isInstanceOf(SecurityException.class).hasMessageContaining("tsfleet.emulator.broker.token");
        assertThat(ConnectionPrivilege.admit(new InetSocketAddress("::1", 1), null).privileged()).isTrue();
        assertThat(ConnectionPrivilege.admit(new InetSocketAddress("127.0.0.1", 1), "tok").privileged()).isFalse();
    }

    private static List<NetlinkMessage> answer(RequestRouter.Route route) {
        assertThat(route).isInstanceOf(RequestRouter.Answer.class);
        return ((RequestRouter.Answer) route).messages();
    }

    private static int errno(RequestRouter.Route route) throws Exception {
        List<NetlinkMessage> out = answer(route);
        return NetlinkError.decode(out.getLast()).error();
    }
}
