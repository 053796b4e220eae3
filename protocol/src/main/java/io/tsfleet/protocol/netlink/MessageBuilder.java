package io.tsfleet.protocol.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink message: optionally a genl header, then attributes, nests (with or without the
 * {@code NLA_F_NESTED} bit) and raw bytes, with 4-byte alignment as the kernel's {@code nla_put}.
 */
public final class MessageBuilder {
    private byte[] buf = new byte[256];
    private int size;

    private MessageBuilder() {
    }

    public static MessageBuilder create() {
        return new MessageBuilder();
    }

    /** Starts a generic netlink message with this genl header. */
    public static MessageBuilder genl(int cmd, int version) {
        return create().genlHeader(cmd, version, 0);
    }

    public MessageBuilder genlHeader(int cmd, int version, int reserved) {
        ensure(4);
        buf[size] = (byte) cmd;
        buf[size + 1] = (byte) version;
        buf[size + 2] = (byte) reserved;
        buf[size + 3] = (byte) (reserved >>> 8);
        size += 4;
        return this;
    }

    public MessageBuilder attribute(int rawType, byte[] value) {
        return attribute(rawType, value, 0, value.length);
    }

    public MessageBuilder attribute(int rawType, byte[] value, int offset, int length) {
        int len = Netlink.NLA_HDRLEN + length;
        if (len > 0xFFFF) throw new IllegalArgumentException("attribute too long: " + length);
        ensure(Netlink.align(len));
        putShort(size, len);
        putShort(size + 2, rawType);
        System.arraycopy(value, offset, buf, size + Netlink.NLA_HDRLEN, length);
        Arrays.fill(buf, size + len, size + Netlink.align(len), (byte) 0);
        size += Netlink.align(len);
        return this;
    }

    public MessageBuilder attribute(NlAttribute a) {
        return attribute(a.rawType(), a.value());
    }

    public MessageBuilder u32(int type, long value) {
        return attribute(type, new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
    }

    public MessageBuilder u16(int type, int value) {
        return attribute(type, new byte[] {(byte) value, (byte) (value >>> 8)});
    }

    /** A NUL-terminated string attribute. */
    public MessageBuilder string(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        return attribute(type, Arrays.copyOf(s, s.length + 1));
    }

    /** Opens a nest; returns its start offset for {@link #endNest}. */
    public int beginNest(int rawType) {
        ensure(Netlink.NLA_HDRLEN);
        int start = size;
        putShort(start + 2, rawType);
        size += Netlink.NLA_HDRLEN;
        return start;
    }

    public MessageBuilder endNest(int start) {
        int len = size - start;
        if (len > 0xFFFF) throw new IllegalArgumentException("nest too long: " + len);
        putShort(start, len);
        return this;
    }

    /** Appends raw bytes (no header, no padding). */
    public MessageBuilder raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    public int size() {
        return size;
    }

    public NetlinkMessage build(int type, int flags, int seq, int portId) {
        return new NetlinkMessage(type, flags, seq, portId, Arrays.copyOf(buf, size));
    }

    /** The built payload as a little-endian buffer (for callers that frame it themselves). */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(Arrays.copyOf(buf, size)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void putShort(int at, int v) {
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
    }

    private void ensure(int more) {
        if (size + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
}
