package io.tsfleet.emulator.broker;

import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What a refused client reads before the broker closes the connection: one {@code NLMSG_ERROR} with sequence 0 and port
 * id 0, the error ({@code -EPERM} for a refusal by policy — no token, untrusted uid —, {@code -ECONNREFUSED} for a limit
 * or a backend failure), an all-zero request header ({@code NLM_F_CAPPED}: no request is echoed) and, as the kernel's
 * extended ack does ({@code NLM_F_ACK_TLVS}), the reason as the string attribute {@code NLMSGERR_ATTR_MSG}.
 */
final class RefusalMessage {
    /** {@code NLM_F_ACK_TLVS} of {@code linux/netlink.h}: extended ack attributes follow {@code struct nlmsgerr}. */
    static final int NLM_F_ACK_TLVS = 0x200;
    /** {@code NLMSGERR_ATTR_MSG}: a NUL-terminated error message. */
    static final int NLMSGERR_ATTR_MSG = 1;
    private static final int MAX_TEXT = 512;

    private RefusalMessage() {
    }

    static int errnoFor(RefusalReason reason) {
        return switch (reason) {
            case TOKEN_REQUIRED, PEER_UID -> Errno.EPERM.negative();
            case CONNECTION_LIMIT, PEER_LIMIT, BACKEND_ERROR -> Errno.ECONNREFUSED.negative();
        };
    }

    static NetlinkMessage of(RefusalReason reason, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int textLength = Math.min(utf8.length, MAX_TEXT);
        int attrLength = 4 + textLength + 1;
        ByteBuffer p = ByteBuffer.allocate(4 + Netlink.NLMSG_HDRLEN + Netlink.align(attrLength)).order(ByteOrder.LITTLE_ENDIAN);
        p.putInt(errnoFor(reason));
        p.position(4 + Netlink.NLMSG_HDRLEN);
        p.putShort((short) attrLength).putShort((short) NLMSGERR_ATTR_MSG).put(utf8, 0, textLength).put((byte) 0);
        return new NetlinkMessage(Netlink.NLMSG_ERROR, Netlink.NLM_F_CAPPED | NLM_F_ACK_TLVS, 0, 0, p.array());
    }
}
