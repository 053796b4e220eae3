package io.tsfleet.protocol.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One netlink attribute ({@code struct nlattr}): the raw 16-bit type including the
 * {@code NLA_F_NESTED}/{@code NLA_F_NET_BYTEORDER} bits, and the payload without padding.
 */
public record NlAttribute(int rawType, byte[] value) {

    public NlAttribute {
        if (rawType < 0 || rawType > 0xFFFF) throw new IllegalArgumentException("nla_type out of range: " + rawType);
        if (value.length > 0xFFFF - Netlink.NLA_HDRLEN) throw new IllegalArgumentException("attribute payload too long: " + value.length);
    }

    /** The type without the flag bits, as the kernel's {@code nla_type()}. */
    public int type() {
        return rawType & Netlink.NLA_TYPE_MASK;
    }

    public boolean nestedFlag() {
        return (rawType & Netlink.NLA_F_NESTED) != 0;
    }

    public boolean netByteOrderFlag() {
        return (rawType & Netlink.NLA_F_NET_BYTEORDER) != 0;
    }

    /** {@code nla_len}: header plus payload. */
    public int length() {
        return Netlink.NLA_HDRLEN + value.length;
    }

    public ByteBuffer valueBuffer() {
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The first four payload bytes as an unsigned 32-bit value (the kernel's {@code nla_get_u32}). */
    public long u32() {
        if (value.length < 4) throw new IllegalStateException("attribute " + type() + " has " + value.length + " bytes, a u32 needs 4");
        return U32.toLong(valueBuffer().getInt(0));
    }

    /** The payload as a C string: up to the first NUL, UTF-8. */
    public String string() {
        int end = 0;
        while (end < value.length && value[end] != 0) end++;
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    /** The attributes nested in this one, parsed strictly. */
    public AttributeList nested() throws MalformedMessageException {
        return AttributeList.parse(valueBuffer(), true);
    }

    public static NlAttribute u32(int type, long value) {
        byte[] b = new byte[4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value);
        return new NlAttribute(type, b);
    }

    /** A NUL-terminated string attribute. */
    public static NlAttribute string(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        return new NlAttribute(type, Arrays.copyOf(s, s.length + 1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NlAttribute a && rawType == a.rawType && Arrays.equals(value, a.value);
    }

    @Override
    public int hashCode() {
        return rawType * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "NlAttribute[type=" + type() + (nestedFlag() ? ",NESTED" : "") + (netByteOrderFlag() ? ",NET_BYTEORDER" : "")
                + ", len=" + length() + "]";
    }
}
