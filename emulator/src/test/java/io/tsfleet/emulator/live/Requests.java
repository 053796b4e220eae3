package io.tsfleet.emulator.live;

import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.util.concurrent.atomic.AtomicInteger;

/** Requests a broker client sends, built with the protocol module (flags {@code NLM_F_REQUEST | NLM_F_ACK}). */
final class Requests {
    private static final AtomicInteger SEQ = new AtomicInteger(1000);
    static final int REQUEST_ACK = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;

    private Requests() {
    }

    static int nextSeq() {
        return SEQ.incrementAndGet();
    }

    static NetlinkMessage getFamily(String name) {
        return MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).string(Netlink.CTRL_ATTR_FAMILY_NAME, name)
                .build(Netlink.GENL_ID_CTRL, REQUEST_ACK, nextSeq(), 0);
    }

    static NetlinkMessage register(int family, String cpulist) {
        return MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).string(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, cpulist)
                .build(family, REQUEST_ACK, nextSeq(), 0);
    }

    static NetlinkMessage deregister(int family, String cpulist) {
        return MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).string(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK, cpulist)
                .build(family, REQUEST_ACK, nextSeq(), 0);
    }

    static NetlinkMessage sockGet(int sockFamily) {
        return MessageBuilder.genl(SockProtocol.CMD_GET, 1).build(sockFamily, REQUEST_ACK, nextSeq(), 0);
    }

    static NetlinkMessage sockSetRcvbuf(int sockFamily, long bytes, boolean force) {
        return MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(force ? SockProtocol.ATTR_RCVBUFFORCE : SockProtocol.ATTR_RCVBUF, bytes)
                .build(sockFamily, REQUEST_ACK, nextSeq(), 0);
    }

    static NetlinkMessage sockSetNoEnobufs(int sockFamily, boolean on) {
        return MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(SockProtocol.ATTR_NO_ENOBUFS, on ? 1 : 0)
                .build(sockFamily, REQUEST_ACK, nextSeq(), 0);
    }

    static NetlinkMessage auth(int sockFamily, String token) {
        return MessageBuilder.genl(SockProtocol.CMD_AUTH, 1).string(SockProtocol.ATTR_TOKEN, token)
                .build(sockFamily, REQUEST_ACK, nextSeq(), 0);
    }
}
