package io.tsfleet.protocol.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An {@code NLMSG_ERROR} message: {@code struct nlmsgerr} = the (negative) error, or 0 for an ack, and
 * the header of the request it answers, followed by the rest of the request unless the ack is capped.
 */
public record NetlinkError(int error, int requestLength, int requestType, int requestFlags, int requestSeq,
                           int requestPortId, byte[] echoedPayload) {

    /** Size of an ack without echoed payload: nlmsghdr + error + the request's nlmsghdr. */
    public static final int CAPPED_LENGTH = Netlink.NLMSG_HDRLEN + 4 + Netlink.NLMSG_HDRLEN;

    public boolean isAck() {
        return error == 0;
    }

    public Errno errno() {
        return Errno.ofCode(error);
    }

    /**
     * The kernel's {@code netlink_ack}: a success is capped (flags {@code NLM_F_CAPPED}, 36 bytes); an
     * error echoes the whole request. Sequence number is the request's, port id is the requester's.
     */
    public static NetlinkMessage ackFor(NetlinkMessage request, int error, int requesterPortId) {
        boolean capped = error == 0;
        int echo = capped ? 0 : request.payload().length;
        ByteBuffer p = ByteBuffer.allocate(4 + Netlink.NLMSG_HDRLEN + echo).order(ByteOrder.LITTLE_ENDIAN);
        p.putInt(error).putInt(request.length()).putShort((short) request.type()).putShort((short) request.flags())
                .putInt(request.seq()).putInt(request.portId());
        if (!capped) p.put(request.payload());
        return new NetlinkMessage(Netlink.NLMSG_ERROR, capped ? Netlink.NLM_F_CAPPED : 0, request.seq(), requesterPortId, p.array());
    }

    /**
     * The in-band overrun report of the broker protocol: {@code NLMSG_ERROR} with error -ENOBUFS,
     * sequence 0, port id 0 and an all-zero request header (36 bytes), the equivalent of {@code recv()}
     * failing with {@code ENOBUFS}.
     */
    public static NetlinkMessage overrun() {
        ByteBuffer p = ByteBuffer.allocate(4 + Netlink.NLMSG_HDRLEN).order(ByteOrder.LITTLE_ENDIAN);
        p.putInt(Errno.ENOBUFS.negative());
        return new NetlinkMessage(Netlink.NLMSG_ERROR, 0, 0, 0, p.array());
    }

    public static boolean isOverrun(NetlinkMessage m) {
        return m.type() == Netlink.NLMSG_ERROR && m.seq() == 0 && m.payload().length >= 4
                && m.payloadBuffer().getInt(0) == Errno.ENOBUFS.negative();
    }

    public static NetlinkError decode(NetlinkMessage m) throws MalformedMessageException {
        if (m.type() != Netlink.NLMSG_ERROR) throw new MalformedMessageException("not an NLMSG_ERROR message: type " + m.type());
        if (m.payload().length < 4 + Netlink.NLMSG_HDRLEN) {
            throw new MalformedMessageException("NLMSG_ERROR payload of " + m.payload().length + " bytes is shorter than struct nlmsgerr");
        }
        ByteBuffer p = m.payloadBuffer();
        int request = 4; // the echoed request's nlmsghdr follows the error
        return new NetlinkError(p.getInt(0), NetlinkHeader.length(p, request), NetlinkHeader.type(p, request),
                NetlinkHeader.flags(p, request), NetlinkHeader.seq(p, request), NetlinkHeader.portId(p, request),
                Arrays.copyOfRange(m.payload(), request + Netlink.NLMSG_HDRLEN, m.payload().length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkError e && error == e.error && requestLength == e.requestLength && requestType == e.requestType
                && requestFlags == e.requestFlags && requestSeq == e.requestSeq && requestPortId == e.requestPortId
                && Arrays.equals(echoedPayload, e.echoedPayload);
    }

    @Override
    public int hashCode() {
        return error * 31 + requestSeq + Arrays.hashCode(echoedPayload);
    }
}
