package io.tsfleet.coordinator.simulation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The truth about every exit record of one boot of one node: when it was emitted, how many replicas kept it, and
 * whether it was dropped by an overflowing replica, held by a replica that crashed, or emitted in one of the windows in
 * which the contract allows a record to go unkept. {@code (node, boot, cpu, seq)} names one exit: each boot of a node
 * has its own ledger, whose sequences start anew.
 */
final class Ledger {
    static final byte OVERFLOW = 1, CRASH_HELD = 2, UNCOVERED = 4;
    /** Held back by a replica that closed its connections to the node because the node left the fleet. */
    static final byte DROPPED_WITH_NODE = 8;
    /** Emitted while the node was not in the coordinator's fleet (it left or expired, or had not joined yet). */
    static final byte NODE_ABSENT = 16;
    /** Emitted uncovered while the node's slots were being covered: after its join, or after the coordinator learned of its reboot. */
    static final byte COVERING = 32;
    /** Held back by a replica whose connection broke (a reboot) and written then, as the listener does: may duplicate a handover's new owner. */
    static final byte HELD_AT_BREAK = 64;
    /** Emitted just after the node rejoined the fleet: a replica that has not heard yet that it left keeps its old target there. */
    static final byte REJOINED = (byte) 0x80;

    final String name;
    /** Tells what the fleet says about a CPU when one of its records is kept twice (for the duplicate's message). */
    java.util.function.IntFunction<String> story = cpu -> "";

    private final long[] startSeq;
    private final int[][] emittedAt;
    private final byte[][] kept;
    private final byte[][] flags;
    private final int[] count;
    final List<String> duplicates = new ArrayList<>();
    final List<Integer> duplicateTimes = new ArrayList<>();
    final List<Byte> duplicateFlags = new ArrayList<>();

    Ledger(long[] startSeq) {
        this("", startSeq);
    }

    Ledger(String name, long[] startSeq) {
        this.name = name;
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
        emitted(cpu, seq, timeMillis, covered, (byte) 0);
    }

    void emitted(int cpu, long seq, int timeMillis, boolean covered, byte excuses) {
        int i = index(cpu, seq);
        if (i != count[cpu]) throw new IllegalStateException("sequence out of order on CPU " + cpu);
        if (i == kept[cpu].length) {
            emittedAt[cpu] = Arrays.copyOf(emittedAt[cpu], i * 2);
            kept[cpu] = Arrays.copyOf(kept[cpu], i * 2);
            flags[cpu] = Arrays.copyOf(flags[cpu], i * 2);
        }
        emittedAt[cpu][i] = timeMillis;
        flags[cpu][i] = excuses;
        if (!covered) flags[cpu][i] |= UNCOVERED;
        count[cpu]++;
    }

    void kept(int cpu, long seq, String replica, int nowMillis) {
        int i = index(cpu, seq);
        if (++kept[cpu][i] > 1) {
            duplicates.add(name + "CPU " + cpu + " seq " + seq + " emitted at " + emittedAt[cpu][i] + " ms kept twice (second by " + replica + " at " + nowMillis + " ms" + story.apply(cpu) + ")");
            duplicateTimes.add(emittedAt[cpu][i]);
            duplicateFlags.add(flags[cpu][i]);
        }
    }

    void flag(int cpu, long seq, byte flag) {
        flags[cpu][index(cpu, seq)] |= flag;
    }

    boolean hasFlag(int cpu, long seq, byte flag) {
        return (flags[cpu][index(cpu, seq)] & flag) != 0;
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
