package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An emulated kernel with sockets read in-process: no TCP, no threads. */
final class KernelHarness {
    final EmulatedKernel kernel;

    KernelHarness(KernelConfig config) {
        kernel = new EmulatedKernel(config, Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC));
    }

    static KernelHarness oracleMachine() {
        return new KernelHarness(KernelConfig.of(256, CpuSet.of(0, 1)));
    }

    NetlinkSocket open() {
        return kernel.openSocket(() -> { });
    }

    /** Everything the socket's client would receive now. */
    static List<NetlinkMessage> read(NetlinkSocket s) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        s.drainTo(buf);
        buf.flip();
        List<NetlinkMessage> out = new ArrayList<>();
        NetlinkStreamDecoder d = new NetlinkStreamDecoder(1 << 20);
        try {
            NetlinkMessage m;
            while ((m = d.next(buf)) != null) out.add(m);
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    NetlinkMessage taskstats(int flags, int seq, byte[] attrs) {
        return MessageBuilder.create().genlHeader(TaskstatsProtocol.CMD_GET, 1, 0).raw(attrs).build(kernel.taskstatsFamilyId(), flags, seq, 0);
    }

    static byte[] attr(int type, byte[] value) {
        return MessageBuilder.create().attribute(type, value).payload().array();
    }

    static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    /** Sends REGISTER with an ack and returns the ack's error. */
    int register(NetlinkSocket s, String cpulist) {
        return errnoOf(s, taskstats(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 7, attr(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, cstr(cpulist))));
    }

    int deregister(NetlinkSocket s, String cpulist) {
        return errnoOf(s, taskstats(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 8, attr(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK, cstr(cpulist))));
    }

    /** Sends and returns the error of the last NLMSG_ERROR answer. */
    int errnoOf(NetlinkSocket s, NetlinkMessage m) {
        kernel.receive(s, m);
        List<NetlinkMessage> got = read(s);
        NetlinkMessage ack = got.stream().filter(x -> x.type() == Netlink.NLMSG_ERROR).reduce((a, b) -> b).orElseThrow();
        return ack.payloadBuffer().getInt(0);
    }

    int setSock(NetlinkSocket s, int attr, long value) {
        return errnoOf(s, MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(attr, value).build(kernel.sockFamilyId(),
                Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 9, 0));
    }
}
