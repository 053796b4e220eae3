package io.tsfleet.listener.broker;

import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.Netlink;

import java.nio.ByteBuffer;

/** Reads netlink header fields in place (little-endian buffer), for the receive hot path. */
public final class Frames {
    private Frames() {
    }

    public static int length(ByteBuffer b, int at) {
        return b.getInt(at);
    }

    public static int type(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at + 4));
    }

    public static int flags(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at + 6));
    }

    public static int seq(ByteBuffer b, int at) {
        return b.getInt(at + 8);
    }

    public static int portId(ByteBuffer b, int at) {
        return b.getInt(at + 12);
    }

    /** The {@code error} of an NLMSG_ERROR frame (0 = ack). */
    public static int error(ByteBuffer b, int at) {
        return b.getInt(at + Netlink.NLMSG_HDRLEN);
    }

    /** The broker's in-band overrun report: NLMSG_ERROR, -ENOBUFS, sequence 0, port id 0. */
    public static boolean isOverrun(ByteBuffer b, int at) {
        return type(b, at) == Netlink.NLMSG_ERROR && seq(b, at) == 0 && portId(b, at) == 0
                && length(b, at) >= Netlink.NLMSG_HDRLEN + 4 && error(b, at) == Errno.ENOBUFS.negative();
    }
}
