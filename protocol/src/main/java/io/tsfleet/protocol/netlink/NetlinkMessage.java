package io.tsfleet.protocol.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One netlink message: the {@code nlmsghdr} fields and the payload after the header. The payload is
 * the exact bytes after the 16-byte header up to {@code nlmsg_len} (the alignment padding that may
 * follow it in a stream is not part of it).
 */
public record NetlinkMessage(int type, int flags, int seq, int portId, byte[] payload) {

    public NetlinkMessage {
        if (type < 0 || type > 0xFFFF) throw new IllegalArgumentException("nlmsg_type out of range: " + type);
        if (flags < 0 || flags > 0xFFFF) throw new IllegalArgumentException("nlmsg_flags out of range: " + flags);
        if (payload.length > 0xFFFF_FFF0L - Netlink.NLMSG_HDRLEN) throw new IllegalArgumentException("payload too large");
    }

    /** {@code nlmsg_len}: header plus payload, without trailing alignment padding. */
    public int length() {
        return Netlink.NLMSG_HDRLEN + payload.length;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) == flag;
    }

    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes header and payload, followed by alignment padding, into {@code out}. */
    public void writeTo(ByteBuffer out) {
        ByteBuffer le = out.order() == ByteOrder.LITTLE_ENDIAN ? out : out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = le.position();
        le.putInt(length()).putShort((short) type).putShort((short) flags).putInt(seq).putInt(portId).put(payload);
        for (int pad = Netlink.align(length()) - length(); pad > 0; pad--) le.put((byte) 0);
        if (le != out) out.position(start + Netlink.align(length()));
    }

    /** The message as stream bytes (aligned). */
    public byte[] toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(Netlink.align(length())).order(ByteOrder.LITTLE_ENDIAN);
        writeTo(buf);
        return buf.array();
    }

    /** Decodes a single message from exactly its bytes ({@code nlmsg_len} must fit in {@code bytes}). */
    public static NetlinkMessage decode(ByteBuffer bytes) throws MalformedMessageException {
        ByteBuffer le = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (le.remaining() < Netlink.NLMSG_HDRLEN) {
            throw new MalformedMessageException("netlink message shorter than its 16-byte header: " + le.remaining());
        }
        int start = le.position();
        long len = U32.toLong(NetlinkHeader.length(le, start));
        if (len < Netlink.NLMSG_HDRLEN) throw new MalformedMessageException("nlmsg_len " + len + " is below 16");
        if (len > le.remaining()) {
            throw new MalformedMessageException("nlmsg_len " + len + " exceeds the " + le.remaining() + " bytes available");
        }
        byte[] payload = new byte[(int) len - Netlink.NLMSG_HDRLEN];
        le.get(start + Netlink.NLMSG_HDRLEN, payload);
        return new NetlinkMessage(NetlinkHeader.type(le, start), NetlinkHeader.flags(le, start),
                NetlinkHeader.seq(le, start), NetlinkHeader.portId(le, start), payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkMessage m && type == m.type && flags == m.flags && seq == m.seq
                && portId == m.portId && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + flags) * 31 + seq) * 31 + portId + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "NetlinkMessage[len=" + length() + ", type=" + type + ", flags=0x" + Integer.toHexString(flags)
                + ", seq=" + Integer.toUnsignedString(seq) + ", portId=" + Integer.toUnsignedString(portId) + "]";
    }
}
