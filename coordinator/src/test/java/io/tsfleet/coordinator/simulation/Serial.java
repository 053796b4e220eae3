package io.tsfleet.coordinator.simulation;

/** RFC 1982 serial-number arithmetic on u32 sequence numbers, as the fence rule uses it. */
final class Serial {
    private Serial() {
    }

    static long next(long seq) {
        return (seq + 1) & 0xFFFF_FFFFL;
    }

    /** {@code a < b} in serial-number order. */
    static boolean less(long a, long b) {
        long d = (b - a) & 0xFFFF_FFFFL;
        return d != 0 && d < 0x8000_0000L;
    }

    static long minusOne(long seq) {
        return (seq - 1) & 0xFFFF_FFFFL;
    }
}
