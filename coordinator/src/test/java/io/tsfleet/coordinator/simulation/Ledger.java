package io.tsfleet.coordinator.simulation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The truth about every exit record of the simulation: when it was emitted, how many replicas kept it, and
 * whether it was dropped by an overflowing replica or held by a replica that crashed.
 */
final class Ledger {
    static final byte OVERFLOW = 1, CRASH_HELD = 2, UNCOVERED = 4;

    private final long[] startSeq;
    private final int[][] emittedAt;
    private final byte[][] kept;
    private final byte[][] flags;
    private final int[] count;
    final List<String> duplicates = new ArrayList<>();
    final List<Integer> duplicateTimes = new ArrayList<>();

    Ledger(long[] startSeq) {
        int n = startSeq.length;
        this.startSeq = startSeq.clone();
        emittedAt = new int[n][];
        kept = new byte[n][];
        flags = new byte[n][];
        count = new int[n];
        for (int c = 0; c < n; c++) {
            emittedAt[c] = new int[1024];
            kept[c] = new byte[1024];
            flags[c] = new byte[1024];
        }
    }

    private int index(int cpu, long seq) {
        return (int) ((seq - startSeq[cpu]) & 0xFFFF_FFFFL);
    }

    void emitted(int cpu, long seq, int timeMillis, boolean covered) {
        int i = index(cpu, seq);
        if (i != count[cpu]) throw new IllegalStateException("sequence out of order on CPU " + cpu);
        if (i == kept[cpu].length) {
            emittedAt[cpu] = Arrays.copyOf(emittedAt[cpu], i * 2);
            kept[cpu] = Arrays.copyOf(kept[cpu], i * 2);
            flags[cpu] = Arrays.copyOf(flags[cpu], i * 2);
        }
        emittedAt[cpu][i] = timeMillis;
        if (!covered) flags[cpu][i] |= UNCOVERED;
        count[cpu]++;
    }

    void kept(int cpu, long seq, String replica, int nowMillis) {
        int i = index(cpu, seq);
        if (++kept[cpu][i] > 1) {
            duplicates.add("CPU " + cpu + " seq " + seq + " emitted at " + emittedAt[cpu][i] + " ms kept twice (second by " + replica + " at " + nowMillis + " ms)");
            duplicateTimes.add(emittedAt[cpu][i]);
        }
    }

    void flag(int cpu, long seq, byte flag) {
        flags[cpu][index(cpu, seq)] |= flag;
    }

    int cpus() {
        return count.length;
    }

    int emittedCount(int cpu) {
        return count[cpu];
    }

    long seqAt(int cpu, int i) {
        return (startSeq[cpu] + i) & 0xFFFF_FFFFL;
    }

    int keptCount(int cpu, int i) {
        return kept[cpu][i];
    }

    byte flags(int cpu, int i) {
        return flags[cpu][i];
    }

    int emittedAt(int cpu, int i) {
        return emittedAt[cpu][i];
    }

    long total() {
        long t = 0;
        for (int c : count) t += c;
        return t;
    }
}
