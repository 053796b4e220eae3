package io.tsfleet.protocol.netlink;

/**
 * Sequence-number arithmetic on the kernel's u32 per-CPU counters (RFC 1982 style). A sequence number is held in
 * an {@code int}; {@code b - a} computed in 32-bit two's complement is the signed distance from {@code a} to
 * {@code b}, correct across the wrap from 0xFFFFFFFF to 0 as long as the two are less than 2^31 apart. A distance
 * of exactly 2^31 is ambiguous in serial arithmetic; it reads as "behind".
 */
public final class SerialNumbers {
    private SerialNumbers() {
    }

    /** How many increments lead from {@code from} to {@code to}: positive when {@code to} is after {@code from}. */
    public static int distance(int from, int to) {
        return to - from;
    }

    /** True when {@code a} comes before {@code b}. */
    public static boolean before(int a, int b) {
        return b - a > 0;
    }

    /** The u32 value of a sequence number held in an int. */
    public static long unsigned(int seq) {
        return U32.toLong(seq);
    }

    /** A u32 value (0 .. 2^32-1) as the int that holds it; anything else is an error. */
    public static int fromUnsigned(long u32) {
        if (!U32.fits(u32)) throw new IllegalArgumentException("not a u32 sequence number: " + u32);
        return (int) u32;
    }
}
