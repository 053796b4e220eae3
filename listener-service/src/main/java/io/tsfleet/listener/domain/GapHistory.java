package io.tsfleet.listener.domain;

import io.tsfleet.protocol.netlink.SerialNumbers;

/**
 * The most recent sequence gaps of one CPU (start and length of each run of missing numbers), kept so that the
 * number of records actually received in a seq range can be computed exactly: span minus the gaps inside it.
 * Gaps are rare events, so a small ring is enough; once it has overwritten entries, a query that reaches further
 * back than the oldest kept gap says so ({@link Count#exact()} false).
 */
final class GapHistory {
    private final int[] starts;
    private final int[] lengths;
    private int size;
    private int head;
    private boolean overwritten;

    GapHistory(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity < 1");
        this.starts = new int[capacity];
        this.lengths = new int[capacity];
    }

    /** The numbers {@code start .. start+length-1} were missed. */
    void record(int start, int length) {
        if (length <= 0) return;
        if (size == starts.length) overwritten = true;
        else size++;
        starts[head] = start;
        lengths[head] = length;
        head = (head + 1) % starts.length;
    }

    void clear() {
        size = 0;
        head = 0;
        overwritten = false;
    }

    /** Missed numbers inside {@code [from, to]} (serial order; {@code to} not before {@code from}). */
    Count missedWithin(int from, int to) {
        long span = (long) SerialNumbers.distance(from, to);
        if (span < 0) return new Count(0, true);
        long missed = 0;
        int oldestStart = 0;
        for (int i = 0; i < size; i++) {
            int idx = Math.floorMod(head - 1 - i, starts.length);
            long a = SerialNumbers.distance(from, starts[idx]);
            long b = a + lengths[idx] - 1;
            long lo = Math.max(a, 0);
            long hi = Math.min(b, span);
            if (hi >= lo) missed += hi - lo + 1;
            oldestStart = starts[idx];
        }
        boolean exact = !overwritten || (size > 0 && !SerialNumbers.before(from, oldestStart));
        return new Count(missed, exact);
    }

    /** A count and whether it is exact (the history reached back far enough). */
    record Count(long value, boolean exact) {
    }
}
