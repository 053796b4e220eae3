package io.tsfleet.protocol.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A generic netlink message: the netlink header fields, the {@code genlmsghdr} and the attribute bytes. */
public record GenlMessage(NetlinkMessage message, int cmd, int version, int reserved) {

    /** Reads the genl header of a netlink message; fewer than 4 payload bytes are an error. */
    public static GenlMessage of(NetlinkMessage message) throws MalformedMessageException {
        if (message.payload().length < Netlink.GENL_HDRLEN) {
            throw new MalformedMessageException("generic netlink message without a full genlmsghdr: nlmsg_len " + message.length());
        }
        ByteBuffer p = message.payloadBuffer();
        return new GenlMessage(message, Byte.toUnsignedInt(p.get(0)), Byte.toUnsignedInt(p.get(1)), Short.toUnsignedInt(p.getShort(2)));
    }

    /** The attribute region after the genl header. */
    public ByteBuffer attributeBytes() {
        byte[] p = message.payload();
        return ByteBuffer.wrap(p, Netlink.GENL_HDRLEN, p.length - Netlink.GENL_HDRLEN).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    public AttributeList attributes(boolean strict) throws MalformedMessageException {
        return AttributeList.parse(attributeBytes(), strict);
    }
}
