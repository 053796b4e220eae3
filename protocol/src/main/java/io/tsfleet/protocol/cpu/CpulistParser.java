package io.tsfleet.protocol.cpu;

import io.tsfleet.protocol.netlink.Errno;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The kernel's cpulist grammar, exactly: {@code bitmap_parselist()} of {@code lib/bitmap-str.c}
 * (regions {@code a}, {@code a-b}, {@code a-b:used/group}, {@code all} in any case, {@code N} for the last
 * CPU; commas and whitespace separate; {@code \0} or a newline right after a region ends the list), and
 * the taskstats attribute handling around it ({@code parse()} of {@code kernel/taskstats.c}: the
 * {@code 100 + 6*NR_CPUS} length limit and {@code nla_strscpy}, which drops the last byte of a payload
 * without a trailing NUL). Errors carry the kernel's errno: EINVAL, ERANGE, EOVERFLOW, E2BIG.
 */
public final class CpulistParser {
    /** The largest NR_CPUS an emulated machine may have, and the bound for {@link CpuSet#parse}. */
    public static final int MAX_NR_CPUS = 8192;

    private CpulistParser() {
    }

    /** {@code TASKSTATS_CPUMASK_MAXLEN} for a kernel built with this NR_CPUS. */
    public static int maxAttributeLength(int nrCpus) {
        return 100 + 6 * nrCpus;
    }

    /** Parses a Java string as {@code bitmap_parselist(str, mask, nbits)}. */
    public static CpuSet parse(String cpulist, int nbits) throws CpulistParseException {
        byte[] b = cpulist.getBytes(StandardCharsets.UTF_8);
        return parseCString(Arrays.copyOf(b, b.length + 1), nbits);
    }

    /**
     * What the kernel does with a {@code TASKSTATS_CMD_ATTR_(DE)REGISTER_CPUMASK} payload on a machine
     * with {@code nrCpuIds} CPU ids, built with {@code nrCpus}. A zero-length payload is refused by the
     * {@code NLA_STRING} policy with ERANGE before {@code parse()} sees it, so that is what it gets here too.
     */
    public static CpuSet parseAttribute(byte[] payload, int nrCpus, int nrCpuIds) throws CpulistParseException {
        int len = payload.length;
        if (len > maxAttributeLength(nrCpus)) {
            throw new CpulistParseException(Errno.E2BIG, "cpumask attribute of " + len + " bytes exceeds " + maxAttributeLength(nrCpus));
        }
        if (len < 1) throw new CpulistParseException(Errno.ERANGE, "zero-length cpumask attribute (NLA_STRING policy)");
        // nla_strscpy(dst, na, dstsize = len): a trailing NUL is not counted; a string that does not fit
        // in len - 1 bytes loses its last byte.
        int srclen = payload[len - 1] == 0 ? len - 1 : len;
        int copy = srclen >= len ? len - 1 : srclen;
        byte[] cstring = new byte[copy + 1];
        System.arraycopy(payload, 0, cstring, 0, copy);
        return parseCString(cstring, nrCpuIds);
    }

    /** {@code bitmap_parselist} over a NUL-terminated byte string. */
    private static CpuSet parseCString(byte[] s, int nbits) throws CpulistParseException {
        if (nbits < 1) throw new IllegalArgumentException("nbits must be positive: " + nbits);
        Region r = new Region(nbits);
        CpuSet.Builder mask = CpuSet.builder();
        int pos = 0;
        while (pos >= 0) {
            while (isSeparator(at(s, pos))) pos++;          // bitmap_find_region
            if (isEndOfString(at(s, pos))) break;
            pos = r.parse(s, pos);                           // bitmap_parse_region: -1 = end of string reached
            r.check();                                       // bitmap_check_region
            r.setIn(mask);                                   // bitmap_set_region
        }
        return mask.build();
    }

    private static int at(byte[] s, int pos) {
        return pos < s.length ? s[pos] & 0xFF : 0;
    }

    /** The kernel's {@code isspace()} (its Latin-1 ctype table also marks 0xA0), or a comma. */
    private static boolean isSeparator(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 || c == ',';
    }

    private static boolean isEndOfString(int c) {
        return c == 0 || c == '\n';
    }

    private static boolean isEndOfRegion(int c) {
        return isSeparator(c) || isEndOfString(c);
    }

    /** {@code struct region}: all values are unsigned 32-bit, kept in longs. */
    private static final class Region {
        final long nbits;
        long start;
        long end;
        long off;
        long groupLen;

        Region(int nbits) {
            this.nbits = nbits;
        }

        /** Returns the position after the region, or -1 when the region ended the string. */
        int parse(byte[] s, int pos) throws CpulistParseException {
            long lastbit = nbits - 1;
            boolean haveEnd;
            if (matchesAll(s, pos)) {
                start = 0;
                end = lastbit;
                pos += 3;
                haveEnd = true;
            } else {
                pos = number(s, pos, lastbit);
                start = value;
                if (isEndOfRegion(at(s, pos))) {
                    haveEnd = false;
                } else {
                    if (at(s, pos) != '-') throw invalid(s, pos);
                    pos = number(s, pos + 1, lastbit);
                    end = value;
                    haveEnd = true;
                }
            }
            if (haveEnd && !isEndOfRegion(at(s, pos))) {
                if (at(s, pos) != ':') throw invalid(s, pos);
                pos = number(s, pos + 1, lastbit);
                off = value;
                if (at(s, pos) != '/') throw invalid(s, pos);
                pos = number(s, pos + 1, lastbit);
                groupLen = value;
                return pos;                                  // the kernel does not look at what follows a pattern
            }
            if (!haveEnd) end = start;
            off = (end + 1) & 0xFFFF_FFFFL;
            groupLen = (end + 1) & 0xFFFF_FFFFL;
            return isEndOfString(at(s, pos)) ? -1 : pos;
        }

        void check() throws CpulistParseException {
            if (start > end || groupLen == 0 || off > groupLen) {
                throw new CpulistParseException(Errno.EINVAL, "invalid region " + start + "-" + end + ":" + off + "/" + groupLen);
            }
            if (end >= nbits) throw new CpulistParseException(Errno.ERANGE, "CPU " + end + " is beyond the last CPU id " + (nbits - 1));
        }

        void setIn(CpuSet.Builder mask) {
            for (long s = start; s <= end; s += groupLen) {
                long n = Math.min(end - s + 1, off);
                if (n > 0) mask.addRange((int) s, (int) (s + n - 1));
            }
        }

        private long value;

        /** {@code bitmap_getnum}: 'N' is the last bit; otherwise base-10 digits that must fit in 32 bits. */
        private int number(byte[] s, int pos, long lastbit) throws CpulistParseException {
            if (at(s, pos) == 'N') {
                value = lastbit;
                return pos + 1;
            }
            int digits = 0;
            long v = 0;
            boolean overflow = false;
            while (at(s, pos + digits) >= '0' && at(s, pos + digits) <= '9') {
                int d = at(s, pos + digits) - '0';
                if (!overflow) {
                    // _parse_integer detects u64 overflow; a value beyond u32 is EOVERFLOW anyway
                    if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) overflow = true;
                    else v = v * 10 + d;
                }
                digits++;
            }
            if (digits == 0) throw invalid(s, pos);
            if (overflow || v > 0xFFFF_FFFFL) {
                throw new CpulistParseException(Errno.EOVERFLOW, "number at offset " + pos + " does not fit in 32 bits");
            }
            value = v;
            return pos + digits;
        }

        private static boolean matchesAll(byte[] s, int pos) {
            return (at(s, pos) | 0x20) == 'a' && (at(s, pos + 1) | 0x20) == 'l' && (at(s, pos + 2) | 0x20) == 'l';
        }

        private static CpulistParseException invalid(byte[] s, int pos) {
            return new CpulistParseException(Errno.EINVAL, "unexpected " + describe(at(s, pos)) + " at offset " + pos);
        }

        private static String describe(int c) {
            return c == 0 ? "end of list" : c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
        }
    }
}
