package io.tsfleet.planner;

import java.util.Arrays;

/**
 * The slots one replica owns during planning: a bitmap of the words between its lowest and its highest slot only, so
 * that 256 replicas of a 131,072-slot cluster cost a few KiB each rather than 16 KiB each (a {@link java.util.BitSet}
 * always starts at slot 0). Grows geometrically in both directions. Not thread-safe.
 */
final class SlotBits {
    private long[] words = new long[0];
    private int base;        // the word index of words[0]
    private int cardinality;

    /** Makes room for the slots {@code lo..hi} (when nothing is set yet), so that setting them never copies. */
    void reserve(int lo, int hi) {
        if (words.length != 0) return;
        base = lo >>> 6;
        words = new long[(hi >>> 6) - base + 1];
    }

    void set(int slot) {
        int w = slot >>> 6;
        if (words.length == 0) {
            words = new long[2];
            base = w;
        } else if (cardinality == 0 && (w < base || w - base >= words.length)) {
            base = Math.max(0, w - 1); // reserved elsewhere and empty: move the window rather than grow it
            if (w - base >= words.length) words = new long[2];
        } else if (w < base) {
            int grow = Math.max(base - w, words.length);
            int newBase = Math.max(0, base - grow);
            long[] bigger = new long[words.length + (base - newBase)];
            System.arraycopy(words, 0, bigger, base - newBase, words.length);
            words = bigger;
            base = newBase;
        } else if (w - base >= words.length) {
            words = Arrays.copyOf(words, Math.max(w - base + 1, words.length * 2));
        }
        long bit = 1L << slot;
        long old = words[w - base];
        if ((old & bit) == 0) {
            words[w - base] = old | bit;
            cardinality++;
        }
    }

    /** Sets a slot that is not set yet and lies inside the range given to {@link #reserve} (no checks). */
    void setReserved(int slot) {
        words[(slot >>> 6) - base] |= 1L << slot;
        cardinality++;
    }

    void clear(int slot) {
        int i = (slot >>> 6) - base;
        if (i < 0 || i >= words.length) return;
        long bit = 1L << slot;
        if ((words[i] & bit) != 0) {
            words[i] &= ~bit;
            cardinality--;
        }
    }

    boolean get(int slot) {
        int i = (slot >>> 6) - base;
        return slot >= 0 && i >= 0 && i < words.length && (words[i] & (1L << slot)) != 0;
    }

    /** The lowest slot at or after {@code from}, or -1. */
    int nextSetBit(int from) {
        if (from < 0) from = 0;
        int i = (from >>> 6) - base;
        long word;
        if (i < 0) {
            i = 0;
            word = words.length == 0 ? 0 : words[0];
        } else {
            if (i >= words.length) return -1;
            word = words[i] & (-1L << from);
        }
        while (true) {
            if (word != 0) return (i + base) * 64 + Long.numberOfTrailingZeros(word);
            if (++i >= words.length) return -1;
            word = words[i];
        }
    }

    /** The lowest slot at or after {@code from} that is not set. */
    int nextClearBit(int from) {
        int i = (from >>> 6) - base;
        if (i < 0 || i >= words.length) return from;
        long word = ~words[i] & (-1L << from);
        while (true) {
            if (word != 0) return (i + base) * 64 + Long.numberOfTrailingZeros(word);
            if (++i >= words.length) return (i + base) * 64;
            word = ~words[i];
        }
    }

    /**
     * The number of words of the window, for word-wise iteration in ascending order: word {@code i} ({@link #word})
     * holds the slots from {@link #firstSlotOfWord} on, bit 0 the lowest.
     */
    int wordCount() {
        return words.length;
    }

    long word(int i) {
        return words[i];
    }

    int firstSlotOfWord(int i) {
        return (base + i) << 6;
    }

    int cardinality() {
        return cardinality;
    }

    int[] toArray() {
        int[] out = new int[cardinality];
        int n = 0;
        for (int c = nextSetBit(0); c >= 0; c = nextSetBit(c + 1)) out[n++] = c;
        return out;
    }
}
