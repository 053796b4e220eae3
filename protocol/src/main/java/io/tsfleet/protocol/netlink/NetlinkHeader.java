package io.tsfleet.protocol.netlink;

import java.nio.ByteBuffer;

/**
 * Reads the fields of a {@code struct nlmsghdr} in place: {@code at} is the offset of the frame in a
 * little-endian buffer (absolute, the buffer's position is not touched). Static and allocation-free, for receive
 * hot paths; {@link NetlinkMessage#decode} is the copying alternative.
 *
 * <pre>
 *   0  u32 nlmsg_len    (header included, padding excluded)
 *   4  u16 nlmsg_type
 *   6  u16 nlmsg_flags
 *   8  u32 nlmsg_seq
 *  12  u32 nlmsg_pid    (the port id)
 *  16  payload; for NLMSG_ERROR an s32 error first
 * </pre>
 */
public final class NetlinkHeader {
    public static final int LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int FLAGS_OFFSET = 6;
    public static final int SEQ_OFFSET = 8;
    public static final int PORT_ID_OFFSET = 12;

    private NetlinkHeader() {
    }

    /** {@code nlmsg_len}: the message length, header included, padding excluded. */
    public static int length(ByteBuffer b, int at) {
        return b.getInt(at + LENGTH_OFFSET);
    }

    /** {@code NLMSG_ALIGN(nlmsg_len)}: where the next message of a stream or datagram starts, relative to {@code at}. */
    public static int alignedLength(ByteBuffer b, int at) {
        return Netlink.align(length(b, at));
    }

    /** {@code nlmsg_type}, unsigned. */
    public static int type(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at + TYPE_OFFSET));
    }

    /** {@code nlmsg_flags}, unsigned. */
    public static int flags(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at + FLAGS_OFFSET));
    }

    /** {@code nlmsg_seq} as the raw u32 bits ({@link U32#toLong} for the unsigned value). */
    public static int seq(ByteBuffer b, int at) {
        return b.getInt(at + SEQ_OFFSET);
    }

    /** {@code nlmsg_pid}: the port id as the raw u32 bits (0 = the kernel, or the broker's events). */
    public static int portId(ByteBuffer b, int at) {
        return b.getInt(at + PORT_ID_OFFSET);
    }

    /** The {@code error} of an NLMSG_ERROR frame (0 = ack; the caller checks the type and that it is that long). */
    public static int error(ByteBuffer b, int at) {
        return b.getInt(at + Netlink.NLMSG_HDRLEN);
    }

    /** Whether the frame is an NLMSG_ERROR long enough to carry its {@code error}. */
    public static boolean isError(ByteBuffer b, int at) {
        return type(b, at) == Netlink.NLMSG_ERROR && length(b, at) >= Netlink.NLMSG_HDRLEN + 4;
    }

    /** The broker's in-band overrun report: NLMSG_ERROR, -ENOBUFS, sequence 0, port id 0. */
    public static boolean isOverrun(ByteBuffer b, int at) {
        return type(b, at) == Netlink.NLMSG_ERROR && seq(b, at) == 0 && portId(b, at) == 0
                && length(b, at) >= Netlink.NLMSG_HDRLEN + 4 && error(b, at) == Errno.ENOBUFS.negative();
    }
}
