package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.sock.SockProtocol;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.tsfleet.emulator.emulated.kernel.KernelHarness.attr;
import static io.tsfleet.emulator.emulated.kernel.KernelHarness.cstr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The order of checks of {@code netlink_rcv_skb}/{@code genl_family_rcv_msg} and the rules beyond the public oracle. */
class GenericNetlinkRulesTest {
    private static final int REQ_ACK = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;

    private final KernelHarness h = new KernelHarness(KernelConfig.of(256, io.tsfleet.protocol.cpu.CpuSet.of(0, 1)).withToken("s3cret"));
    private final NetlinkSocket s = h.open();

    private NetlinkMessage get(int flags, int cmd, int reserved, byte[] attrs) {
        return MessageBuilder.create().genlHeader(cmd, 1, reserved).raw(attrs).build(h.kernel.taskstatsFamilyId(), flags, 3, 0);
    }

    private void authenticate() {
        assertThat(h.errnoOf(s, MessageBuilder.genl(SockProtocol.CMD_AUTH, 1).string(SockProtocol.ATTR_TOKEN, "s3cret")
                .build(h.kernel.sockFamilyId(), REQ_ACK, 1, 0))).isZero();
    }

    @Test
    void withoutAuthenticationEveryTaskstatsCommandIsEpermBeforeAnyParsing() {
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, attr(3, cstr("garbage"))))).isEqualTo(Errno.EPERM.negative());
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, attr(1, new byte[2])))).as("even a short U32").isEqualTo(Errno.EPERM.negative());
        assertThat(h.errnoOf(s, get(REQ_ACK, 4, 0, new byte[0]))).as("CGROUPSTATS has no admin flag").isEqualTo(Errno.EINVAL.negative());
        assertThat(h.errnoOf(s, get(REQ_ACK | Netlink.NLM_F_DUMP, 1, 0, new byte[0]))).as("no dumpit: EOPNOTSUPP comes first").isEqualTo(Errno.EOPNOTSUPP.negative());
        assertThat(h.errnoOf(s, get(REQ_ACK, 200, 1, new byte[0]))).as("reserved check first").isEqualTo(Errno.EINVAL.negative());
    }

    @Test
    void aWrongTokenIsEpermAndChangesNothing() {
        assertThat(h.errnoOf(s, MessageBuilder.genl(SockProtocol.CMD_AUTH, 1).string(SockProtocol.ATTR_TOKEN, "wrong")
                .build(h.kernel.sockFamilyId(), REQ_ACK, 1, 0))).isEqualTo(Errno.EPERM.negative());
        assertThat(h.register(s, "0")).isEqualTo(Errno.EPERM.negative());
    }

    @Test
    void policyComesBeforeDispatchAndDispatchBeforeParse() {
        authenticate();
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, concat(attr(3, cstr("0")), attr(1, new byte[2]))))).as("short U32 anywhere: ERANGE").isEqualTo(Errno.ERANGE.negative());
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, attr(4, new byte[0])))).as("empty string: ERANGE").isEqualTo(Errno.ERANGE.negative());
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, concat(attr(3, cstr("0")), attr(4, cstr("garbage")))))).as("DEREGISTER not parsed").isZero();
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, concat(attr(3, cstr("x")), attr(3, cstr("1")))))).as("last duplicate wins").isZero();
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, concat(attr(1, u32(0)), attr(2, u32(1)))))).as("PID before TGID; pid 0").isEqualTo(Errno.ESRCH.negative());
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, attr(1, u32(0xFFFF_FFFFL))))).isEqualTo(Errno.ESRCH.negative());
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, attr(3, cstr("0-8191"))))).isEqualTo(Errno.ERANGE.negative());
        byte[] tooLong = new byte[100 + 6 * 256 + 1];
        java.util.Arrays.fill(tooLong, (byte) ' ');
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, attr(3, tooLong)))).isEqualTo(Errno.E2BIG.negative());
    }

    @Test
    void ackAndErrorShapes() {
        authenticate();
        NetlinkMessage bad = get(REQ_ACK, 1, 0, new byte[0]);
        h.kernel.receive(s, bad);
        NetlinkMessage err = KernelHarness.read(s).getFirst();
        assertThat(err.length()).isEqualTo(16 + 4 + bad.length());
        assertThat(err.flags()).isZero();
        assertThat(err.seq()).isEqualTo(3);
        assertThat(err.portId()).isEqualTo(s.portId());
        h.kernel.receive(s, get(REQ_ACK, 1, 0, attr(3, cstr("0"))));
        NetlinkMessage ack = KernelHarness.read(s).getFirst();
        assertThat(ack.length()).isEqualTo(36);
        assertThat(ack.flags()).isEqualTo(Netlink.NLM_F_CAPPED);
    }

    @Test
    void successWithoutAckIsSilentErrorsAlwaysAnswer() {
        authenticate();
        h.kernel.receive(s, get(Netlink.NLM_F_REQUEST, 1, 0, attr(3, cstr("0"))));
        assertThat(KernelHarness.read(s)).isEmpty();
        h.kernel.receive(s, get(Netlink.NLM_F_REQUEST, 1, 0, attr(3, cstr("7"))));
        assertThat(KernelHarness.read(s)).hasSize(1);
    }

    @Test
    void messagesWithoutRequestFlagOrOfControlTypesAreNotExecuted() {
        authenticate();
        h.kernel.receive(s, get(0, 1, 0, attr(3, cstr("0"))));
        assertThat(KernelHarness.read(s)).isEmpty();
        h.kernel.receive(s, get(Netlink.NLM_F_ACK, 1, 0, attr(3, cstr("0"))));
        List<NetlinkMessage> acked = KernelHarness.read(s);
        assertThat(acked).hasSize(1);
        assertThat(acked.getFirst().payloadBuffer().getInt(0)).isZero();
        assertThat(h.kernel.cpu(0).listeners()).as("not executed").isEmpty();
        h.kernel.receive(s, new NetlinkMessage(Netlink.NLMSG_NOOP, REQ_ACK, 4, 0, new byte[0]));
        assertThat(KernelHarness.read(s).getFirst().payloadBuffer().getInt(0)).isZero();
    }

    @Test
    void shortGenlHeaderAndUnknownFamilies() {
        authenticate();
        h.kernel.receive(s, new NetlinkMessage(h.kernel.taskstatsFamilyId(), REQ_ACK, 5, 0, new byte[2]));
        assertThat(KernelHarness.read(s).getFirst().payloadBuffer().getInt(0)).isEqualTo(Errno.EINVAL.negative());
        h.kernel.receive(s, MessageBuilder.genl(1, 1).build(0x7777, REQ_ACK, 6, 0));
        assertThat(KernelHarness.read(s).getFirst().payloadBuffer().getInt(0)).isEqualTo(Errno.ENOENT.negative());
    }

    @Test
    void controllerResolvesByNameAndIdAndDumpsAllFamilies() {
        h.kernel.receive(s, MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).string(Netlink.CTRL_ATTR_FAMILY_NAME, "NOPE")
                .build(Netlink.GENL_ID_CTRL, REQ_ACK, 1, 0));
        assertThat(KernelHarness.read(s).getFirst().payloadBuffer().getInt(0)).isEqualTo(Errno.ENOENT.negative());
        h.kernel.receive(s, MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).u16(Netlink.CTRL_ATTR_FAMILY_ID, h.kernel.sockFamilyId())
                .build(Netlink.GENL_ID_CTRL, REQ_ACK, 2, 0));
        List<NetlinkMessage> got = KernelHarness.read(s);
        assertThat(got).hasSize(2);
        assertThat(got.getFirst().type()).isEqualTo(Netlink.GENL_ID_CTRL);
        h.kernel.receive(s, MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).build(Netlink.GENL_ID_CTRL,
                Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, 3, 0));
        List<NetlinkMessage> dump = KernelHarness.read(s);
        assertThat(dump).hasSize(4);
        assertThat(dump.getLast().type()).isEqualTo(Netlink.NLMSG_DONE);
        assertThat(dump.subList(0, 3)).allMatch(m -> m.hasFlag(Netlink.NLM_F_MULTI));
    }

    @Test
    void sockFamilyReportsAndSetsOptions() throws Exception {
        assertThat(h.setSock(s, SockProtocol.ATTR_RCVBUF, 16384)).isZero();
        assertThat(s.state().rcvbuf()).isEqualTo(32768);
        assertThat(h.setSock(s, SockProtocol.ATTR_RCVBUFFORCE, 1 << 24)).as("needs privilege").isEqualTo(Errno.EPERM.negative());
        h.kernel.receive(s, MessageBuilder.genl(SockProtocol.CMD_GET, 1).build(h.kernel.sockFamilyId(), Netlink.NLM_F_REQUEST, 8, 0));
        io.tsfleet.protocol.netlink.AttributeList unprivileged =
                io.tsfleet.protocol.netlink.GenlMessage.of(KernelHarness.read(s).getFirst()).attributes(true);
        assertThat(unprivileged.last(SockProtocol.ATTR_NODE)).as("not told before the token").isEmpty();
        assertThat(unprivileged.last(SockProtocol.ATTR_BOOT_ID)).isEmpty();
        authenticate();
        assertThat(h.setSock(s, SockProtocol.ATTR_RCVBUFFORCE, 1 << 24)).isZero();
        assertThat(s.state().rcvbuf()).isEqualTo(1 << 25);
        h.kernel.receive(s, MessageBuilder.genl(SockProtocol.CMD_GET, 1).build(h.kernel.sockFamilyId(), Netlink.NLM_F_REQUEST, 9, 0));
        NetlinkMessage reply = KernelHarness.read(s).getFirst();
        assertThat(reply.seq()).isEqualTo(9);
        assertThat(reply.portId()).isEqualTo(s.portId());
        io.tsfleet.protocol.netlink.AttributeList attrs = io.tsfleet.protocol.netlink.GenlMessage.of(reply).attributes(true);
        long epoch = attrs.require(SockProtocol.ATTR_SEQ_EPOCH).valueBuffer().getLong(0);
        assertThat(epoch).as("this emulated kernel's sequence epoch: its boot's").isEqualTo(SockProtocol.seqEpochOf(h.kernel.bootId()));
        assertThat(attrs.require(SockProtocol.ATTR_NODE).string()).isEqualTo(KernelConfig.DEFAULT_NODE_NAME);
        assertThat(attrs.require(SockProtocol.ATTR_BOOT_ID).string()).isEqualTo(h.kernel.bootId().toString());
    }

    @Test
    void sockGetNamesTheConfiguredNodeAndANodeAttributeBeyondItsPolicyIsErange() throws Exception {
        KernelHarness named = new KernelHarness(KernelConfig.of(256, CpuSet.of(0, 1)).withNodeName("worker-2.zone-b"));
        NetlinkSocket n = named.open();
        named.kernel.receive(n, MessageBuilder.genl(SockProtocol.CMD_GET, 1).build(named.kernel.sockFamilyId(), Netlink.NLM_F_REQUEST, 3, 0));
        io.tsfleet.protocol.netlink.AttributeList attrs = io.tsfleet.protocol.netlink.GenlMessage.of(KernelHarness.read(n).getFirst()).attributes(true);
        assertThat(attrs.require(SockProtocol.ATTR_NODE).string()).isEqualTo("worker-2.zone-b");

        NetlinkMessage longNode = MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(SockProtocol.ATTR_RCVBUF, 1)
                .string(SockProtocol.ATTR_NODE, "n".repeat(SockProtocol.MAX_NODE_NAME_LENGTH + 1))
                .build(named.kernel.sockFamilyId(), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 4, 0);
        named.kernel.receive(n, longNode);
        assertThat(KernelHarness.read(n).getFirst().payloadBuffer().getInt(0)).isEqualTo(Errno.ERANGE.negative());
        assertThat(n.state().rcvbuf()).as("refused: nothing applied").isEqualTo(SockProtocol.DEFAULT_RMEM);
        assertThatThrownBy(() -> KernelConfig.of(256, CpuSet.of(0, 1)).withNodeName("Worker_1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DNS subdomain");
    }

    @Test
    void getAnswersLiveAndZombieTasksAndTgidRecordsHaveNoIdentity() throws Exception {
        authenticate();
        int tgid = h.kernel.spawn("worker", 3, 1000);
        h.kernel.receive(s, get(Netlink.NLM_F_REQUEST, 1, 0, attr(2, u32(tgid))));
        NetlinkMessage reply = KernelHarness.read(s).getFirst();
        var ev = io.tsfleet.protocol.taskstats.TaskstatsEvent.decode(reply);
        assertThat(ev.tgid().orElseThrow().stats().get(io.tsfleet.protocol.taskstats.TaskstatsField.AC_PID)).isZero();
        assertThat(ev.tgid().get().stats().version()).isEqualTo(16);
        h.kernel.exit(new ExitSpec(0, tgid, null, null, 3, null, false, null, null, null, null, null));
        h.kernel.receive(s, get(Netlink.NLM_F_REQUEST, 1, 0, attr(1, u32(tgid))));
        var zombie = io.tsfleet.protocol.taskstats.TaskstatsEvent.decode(KernelHarness.read(s).getFirst());
        assertThat(zombie.pid().orElseThrow().stats().get(io.tsfleet.protocol.taskstats.TaskstatsField.AC_EXITCODE)).isEqualTo(3 << 8);
        int thread = h.kernel.spawn("x", 2, 0) + 0;
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, attr(1, u32(h.kernel.liveThreads(thread).get(1)))))).as("a non-leader thread id works").isZero();
        assertThat(h.errnoOf(s, get(REQ_ACK, 1, 0, attr(1, u32(4_194_305))))).isEqualTo(Errno.ESRCH.negative());
    }

    static byte[] u32(long v) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
