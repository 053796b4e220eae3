package io.tsfleet.protocol.cpu;

import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * An immutable set of CPU numbers (a cpumask), backed by a bitmap of 64-bit words: 8192 CPUs cost 1 KiB.
 * {@link #toString()} is the canonical cpulist, as the kernel prints it with {@code %*pbl}:
 * ascending, runs of two or more as {@code a-b}, single CPUs as {@code a}, comma separated, and the
 * empty string for the empty set.
 */
public final class CpuSet implements Comparable<CpuSet> {
    public static final CpuSet EMPTY = new CpuSet(new long[0]);

    private final long[] words; // no trailing zero words
    private final int cardinality;

    private CpuSet(long[] words) {
        int n = words.length;
        while (n > 0 && words[n - 1] == 0) n--;
        this.words = n == words.length ? words : Arrays.copyOf(words, n);
        int c = 0;
        for (long w : this.words) c += Long.bitCount(w);
        this.cardinality = c;
    }

    public static CpuSet of(int... cpus) {
        Builder b = builder();
        for (int c : cpus) b.add(c);
        return b.build();
    }

    /** CPUs {@code from..to} inclusive. */
    public static CpuSet range(int from, int to) {
        return builder().addRange(from, to).build();
    }

    /** Parses a cpulist for configuration and APIs: the kernel grammar on a machine of {@link CpulistParser#MAX_NR_CPUS} CPU ids. */
    public static CpuSet parse(String cpulist) throws CpulistParseException {
        return CpulistParser.parse(cpulist, CpulistParser.MAX_NR_CPUS);
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean contains(int cpu) {
        int w = cpu >>> 6;
        return cpu >= 0 && w < words.length && (words[w] & (1L << cpu)) != 0;
    }

    public int size() {
        return cardinality;
    }

    public boolean isEmpty() {
        return cardinality == 0;
    }

    /** The highest CPU plus one (0 for the empty set). */
    public int length() {
        return words.length == 0 ? 0 : (words.length - 1) * 64 + 64 - Long.numberOfLeadingZeros(words[words.length - 1]);
    }

    /** The lowest CPU at or after {@code from}, or -1. */
    public int nextCpu(int from) {
        if (from < 0) from = 0;
        int w = from >>> 6;
        if (w >= words.length) return -1;
        long word = words[w] & (-1L << from);
        while (true) {
            if (word != 0) return w * 64 + Long.numberOfTrailingZeros(word);
            if (++w == words.length) return -1;
            word = words[w];
        }
    }

    /** The lowest CPU not in the set at or after {@code from}. */
    public int nextAbsent(int from) {
        int w = from >>> 6;
        if (w >= words.length) return from;
        long word = ~words[w] & (-1L << from);
        while (true) {
            if (word != 0) return w * 64 + Long.numberOfTrailingZeros(word);
            if (++w == words.length) return w * 64;
            word = ~words[w];
        }
    }

    public int first() {
        return nextCpu(0);
    }

    public void forEach(IntConsumer action) {
        for (int c = nextCpu(0); c >= 0; c = nextCpu(c + 1)) action.accept(c);
    }

    public IntStream stream() {
        return IntStream.iterate(nextCpu(0), c -> c >= 0, c -> nextCpu(c + 1));
    }

    public int[] toArray() {
        return stream().toArray();
    }

    public CpuSet union(CpuSet other) {
        long[] r = Arrays.copyOf(words, Math.max(words.length, other.words.length));
        for (int i = 0; i < other.words.length; i++) r[i] |= other.words[i];
        return new CpuSet(r);
    }

    public CpuSet intersect(CpuSet other) {
        long[] r = Arrays.copyOf(words, Math.min(words.length, other.words.length));
        for (int i = 0; i < r.length; i++) r[i] &= other.words[i];
        return new CpuSet(r);
    }

    public CpuSet minus(CpuSet other) {
        long[] r = words.clone();
        for (int i = 0; i < Math.min(r.length, other.words.length); i++) r[i] &= ~other.words[i];
        return new CpuSet(r);
    }

    public boolean intersects(CpuSet other) {
        for (int i = 0; i < Math.min(words.length, other.words.length); i++) {
            if ((words[i] & other.words[i]) != 0) return true;
        }
        return false;
    }

    public boolean isSubsetOf(CpuSet other) {
        if (words.length > other.words.length) return false;
        for (int i = 0; i < words.length; i++) {
            if ((words[i] & ~other.words[i]) != 0) return false;
        }
        return true;
    }

    /** The canonical cpulist (kernel {@code %*pbl} format). */
    public String toCpulist() {
        StringBuilder sb = new StringBuilder();
        int start = nextCpu(0);
        while (start >= 0) {
            int end = nextAbsent(start) - 1;
            if (!sb.isEmpty()) sb.append(',');
            sb.append(start);
            if (end > start) sb.append('-').append(end);
            start = nextCpu(end + 1);
        }
        return sb.toString();
    }

    /**
     * Every member moved by {@code delta}: {@code c} becomes {@code c + delta}. A word-wise shift, so moving a set of
     * many thousands of members costs a few hundred word operations.
     *
     * @throws IllegalArgumentException when a member would become negative
     */
    public CpuSet shift(int delta) {
        if (delta == 0 || isEmpty()) return this;
        if ((long) first() + delta < 0) throw new IllegalArgumentException("shifting " + first() + " by " + delta + " is negative");
        long[] out = new long[(int) (((long) length() + delta + 63) >>> 6)];
        int wordShift = Math.floorDiv(delta, 64);
        int bitShift = Math.floorMod(delta, 64);
        for (int i = 0; i < words.length; i++) {
            long w = words[i];
            if (w == 0) continue;
            int j = i + wordShift;
            if (j >= 0 && j < out.length) out[j] |= w << bitShift;
            if (bitShift != 0 && j + 1 >= 0 && j + 1 < out.length) out[j + 1] |= w >>> (64 - bitShift);
        }
        return new CpuSet(out);
    }

    /** The number of contiguous ranges: a measure of how compact the cpulist is. */
    public int rangeCount() {
        int n = 0;
        for (int s = nextCpu(0); s >= 0; s = nextCpu(nextAbsent(s))) n++;
        return n;
    }

    /** The bitmap as little-endian 64-bit words (a copy). */
    public long[] toWords() {
        return words.clone();
    }

    public static CpuSet fromWords(long[] words) {
        return new CpuSet(words.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet s && Arrays.equals(words, s.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return toCpulist();
    }

    /** Orders by lowest CPU, then by cpulist, so that sorted sets read naturally. */
    @Override
    public int compareTo(CpuSet o) {
        int c = Integer.compare(first(), o.first());
        return c != 0 ? c : Arrays.compareUnsigned(words, o.words);
    }

    public static final class Builder {
        private long[] words = new long[4];

        public Builder add(int cpu) {
            if (cpu < 0) throw new IllegalArgumentException("negative CPU " + cpu);
            ensure(cpu);
            words[cpu >>> 6] |= 1L << cpu;
            return this;
        }

        public Builder remove(int cpu) {
            if (cpu >= 0 && (cpu >>> 6) < words.length) words[cpu >>> 6] &= ~(1L << cpu);
            return this;
        }

        public Builder addRange(int from, int to) {
            if (from < 0 || to < from) throw new IllegalArgumentException("bad CPU range " + from + "-" + to);
            ensure(to);
            for (int c = from; c <= to; ) {
                int w = c >>> 6;
                int hi = Math.min(to, w * 64 + 63);
                int n = hi - c + 1;
                long mask = n == 64 ? -1L : ((1L << n) - 1) << c;
                words[w] |= mask;
                c = hi + 1;
                if (c < 0) break; // overflow at Integer.MAX_VALUE
            }
            return this;
        }

        public Builder addAll(CpuSet set) {
            set.forEach(this::add);
            return this;
        }

        public boolean contains(int cpu) {
            return cpu >= 0 && (cpu >>> 6) < words.length && (words[cpu >>> 6] & (1L << cpu)) != 0;
        }

        public CpuSet build() {
            return new CpuSet(words.clone());
        }

        private void ensure(int cpu) {
            int need = (cpu >>> 6) + 1;
            if (need > words.length) words = Arrays.copyOf(words, Math.max(need, words.length * 2));
        }
    }
}
