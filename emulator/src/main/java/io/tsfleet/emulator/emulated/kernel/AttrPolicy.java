package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.NlAttribute;

/**
 * One entry of a netlink attribute policy, validated as {@code validate_nla} does in liberal mode
 * ({@code GENL_DONT_VALIDATE_STRICT}): integers must have at least their size (ERANGE), a longer one is
 * accepted; {@code NLA_STRING} needs at least one byte and, with a maximum, at most that many characters
 * besides a trailing NUL (ERANGE); {@code NLA_NUL_STRING} must contain a NUL within its maximum (EINVAL).
 */
record AttrPolicy(Kind kind, int maxLength) {

    enum Kind { U16, U32, U64, STRING, NUL_STRING }

    static AttrPolicy u16() {
        return new AttrPolicy(Kind.U16, 0);
    }

    static AttrPolicy u32() {
        return new AttrPolicy(Kind.U32, 0);
    }

    static AttrPolicy u64() {
        return new AttrPolicy(Kind.U64, 0);
    }

    /** {@code NLA_STRING}, with a maximum length (0: none). */
    static AttrPolicy string(int max) {
        return new AttrPolicy(Kind.STRING, max);
    }

    /** {@code NLA_NUL_STRING} with a maximum length. */
    static AttrPolicy nulString(int max) {
        return new AttrPolicy(Kind.NUL_STRING, max);
    }

    /** Returns the errno of a policy violation, or null. */
    Errno validate(NlAttribute a) {
        byte[] v = a.value();
        int len = v.length;
        return switch (kind) {
            case U16 -> len < 2 ? Errno.ERANGE : null;
            case U32 -> len < 4 ? Errno.ERANGE : null;
            case U64 -> len < 8 ? Errno.ERANGE : null;
            case NUL_STRING -> {
                int scan = maxLength > 0 ? Math.min(len, maxLength + 1) : len;
                boolean nul = false;
                for (int i = 0; i < scan && !nul; i++) nul = v[i] == 0;
                yield nul ? stringLength(v) : Errno.EINVAL;
            }
            case STRING -> stringLength(v);
        };
    }

    private Errno stringLength(byte[] v) {
        int len = v.length;
        if (len < 1) return Errno.ERANGE;
        if (maxLength > 0) {
            if (v[len - 1] == 0) len--;
            if (len > maxLength) return Errno.ERANGE;
        }
        return null;
    }
}
