package io.tsfleet.protocol.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed attribute stream. {@link #parse} walks attributes like the kernel's {@code nla_for_each_attr}:
 * it stops at the first header that does not fit; in strict mode the remaining bytes are an error, in
 * liberal mode (generic netlink's {@code GENL_DONT_VALIDATE_STRICT}) they are counted as leftover and ignored.
 */
public record AttributeList(List<NlAttribute> attributes, int leftoverBytes) {

    public AttributeList {
        attributes = List.copyOf(attributes);
    }

    public static AttributeList parse(ByteBuffer region, boolean strict) throws MalformedMessageException {
        ByteBuffer buf = region.slice().order(ByteOrder.LITTLE_ENDIAN);
        List<NlAttribute> out = new ArrayList<>();
        int pos = 0;
        int rem = buf.remaining();
        while (rem >= Netlink.NLA_HDRLEN) {
            int len = Short.toUnsignedInt(buf.getShort(pos));
            if (len < Netlink.NLA_HDRLEN || len > rem) break;
            byte[] value = new byte[len - Netlink.NLA_HDRLEN];
            buf.get(pos + Netlink.NLA_HDRLEN, value);
            out.add(new NlAttribute(Short.toUnsignedInt(buf.getShort(pos + 2)), value));
            int step = Netlink.align(len);
            pos += step;
            rem -= step;
        }
        int leftover = Math.max(rem, 0);
        if (strict && leftover > 0) {
            throw new MalformedMessageException("truncated or malformed attribute at offset " + pos + " (" + leftover + " bytes left)");
        }
        return new AttributeList(out, leftover);
    }

    /** The last attribute of this type (the kernel's {@code nla_parse}: the last duplicate wins). */
    public Optional<NlAttribute> last(int type) {
        for (int i = attributes.size() - 1; i >= 0; i--) {
            if (attributes.get(i).type() == type) return Optional.of(attributes.get(i));
        }
        return Optional.empty();
    }

    /** The first attribute of this type. */
    public Optional<NlAttribute> first(int type) {
        return attributes.stream().filter(a -> a.type() == type).findFirst();
    }

    public NlAttribute require(int type) throws MalformedMessageException {
        return last(type).orElseThrow(() -> new MalformedMessageException("missing attribute " + type));
    }
}
