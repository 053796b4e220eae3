package io.tsfleet.protocol.netlink;

/**
 * Netlink's unsigned 32-bit fields ({@code nlmsg_seq}, {@code nlmsg_pid}, u32 attributes) held in a Java {@code int}:
 * the raw bits travel as {@code int}, these give the unsigned value and order.
 */
public final class U32 {
    /** The largest u32, as a long. */
    public static final long MAX = 0xFFFF_FFFFL;

    private U32() {
    }

    /** The unsigned value of the raw bits. */
    public static long toLong(int bits) {
        return bits & MAX;
    }

    /** The raw bits of a u32 value (the low 32 bits of {@code value}). */
    public static int bits(long value) {
        return (int) value;
    }

    /** Whether {@code value} fits a u32. */
    public static boolean fits(long value) {
        return value >= 0 && value <= MAX;
    }

    /** Compares two u32 values by magnitude (no wrap-around: see serial-number arithmetic for sequence order). */
    public static int compare(int a, int b) {
        return Integer.compareUnsigned(a, b);
    }

    /** The unsigned decimal text of the raw bits. */
    public static String toString(int bits) {
        return Integer.toUnsignedString(bits);
    }
}
