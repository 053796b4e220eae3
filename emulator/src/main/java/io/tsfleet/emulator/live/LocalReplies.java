package io.tsfleet.emulator.live;

import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * Answers the backend gives itself, with the kernel's rules ({@code netlink_rcv_skb} + {@code netlink_ack}): a
 * message without {@code NLM_F_REQUEST} is not executed and only acked (0) when it asks for an ack; an error is
 * always answered, with the request echoed; a success is acked (capped, 36 bytes) only with {@code NLM_F_ACK}.
 * Replies and acks carry the request's sequence number and the socket's port id.
 */
final class LocalReplies {
    private LocalReplies() {
    }

    static boolean isRequest(NetlinkMessage m) {
        return m.hasFlag(Netlink.NLM_F_REQUEST);
    }

    static boolean isDump(NetlinkMessage m) {
        return m.hasFlag(Netlink.NLM_F_DUMP);
    }

    /** What the kernel answers to a message it does not execute (no {@code NLM_F_REQUEST}). */
    static List<NetlinkMessage> notExecuted(NetlinkMessage request, int portId) {
        return request.hasFlag(Netlink.NLM_F_ACK) ? List.of(NetlinkError.ackFor(request, 0, portId)) : List.of();
    }

    /** An error answer ({@code errno} positive). */
    static List<NetlinkMessage> error(NetlinkMessage request, int errno, int portId) {
        return List.of(NetlinkError.ackFor(request, -Math.abs(errno), portId));
    }

    /** Replies of a successful command, followed by the ack when the request asked for one. */
    static List<NetlinkMessage> success(NetlinkMessage request, int portId, List<NetlinkMessage> replies) {
        List<NetlinkMessage> out = new ArrayList<>(replies);
        if (request.hasFlag(Netlink.NLM_F_ACK)) out.add(NetlinkError.ackFor(request, 0, portId));
        return List.copyOf(out);
    }
}
