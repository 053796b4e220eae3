package io.tsfleet.protocol.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Cuts a TCP byte stream into netlink messages. Each message occupies {@code NLMSG_ALIGN(nlmsg_len)}
 * bytes of the stream, as messages do in a kernel datagram.
 *
 * <p>Two ways to use it: {@link #frameLength} inspects a buffer in place (no allocation; the hot path of
 * a listener), and {@link #next} copies out a {@link NetlinkMessage}. Bad input never hangs and never
 * throws anything but {@link MalformedMessageException}: a length below 16 or above the configured
 * maximum is reported as soon as the first four bytes of a header have arrived. After such an error the
 * stream cannot be resynchronised; the caller closes the connection.
 */
public final class NetlinkStreamDecoder {
    /** Large enough for any request (a cpumask attribute is at most 64 KiB) and any reply. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;

    private final int maxMessageBytes;

    public NetlinkStreamDecoder() {
        this(DEFAULT_MAX_MESSAGE_BYTES);
    }

    public NetlinkStreamDecoder(int maxMessageBytes) {
        if (maxMessageBytes < Netlink.NLMSG_HDRLEN) throw new IllegalArgumentException("maxMessageBytes < 16");
        this.maxMessageBytes = maxMessageBytes;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * The number of stream bytes (aligned) taken by the complete message at {@code buf.position()}, or
     * -1 when more bytes are needed. Does not move the position.
     */
    public int frameLength(ByteBuffer buf) throws MalformedMessageException {
        int available = buf.remaining();
        if (available < 4) return -1;
        long len = U32.toLong(buf.order() == ByteOrder.LITTLE_ENDIAN
                ? buf.getInt(buf.position())
                : Integer.reverseBytes(buf.getInt(buf.position())));
        if (len < Netlink.NLMSG_HDRLEN) throw new MalformedMessageException("nlmsg_len " + len + " is below the 16-byte header");
        if (len > maxMessageBytes) {
            throw new MalformedMessageException("nlmsg_len " + len + " exceeds the maximum message size " + maxMessageBytes);
        }
        int aligned = Netlink.align((int) len);
        return available >= aligned ? aligned : -1;
    }

    /**
     * Decodes the next complete message at the buffer's position and advances past it (and its
     * padding); returns null and leaves the position when more bytes are needed.
     */
    public NetlinkMessage next(ByteBuffer buf) throws MalformedMessageException {
        int frame = frameLength(buf);
        if (frame < 0) return null;
        NetlinkMessage m = NetlinkMessage.decode(buf.duplicate().limit(buf.position() + frame));
        buf.position(buf.position() + frame);
        return m;
    }
}
