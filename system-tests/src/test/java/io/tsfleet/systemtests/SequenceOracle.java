package io.tsfleet.systemtests;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares what the emulator sent with what the fleet's sinks hold. The emulator knows, per CPU, the range of
 * sequence numbers it assigned in a window ({@code [from, to)}, u32); every (cpu, seq) in it must be present in
 * the sinks at least once. Records outside the windows are ignored (they belong to other scenarios).
 */
final class SequenceOracle {
    private final Map<Integer, long[]> windows = new TreeMap<>();
    private final Map<Integer, Map<Long, Integer>> seen = new HashMap<>();

    /** Declares that the emulator assigned seqs {@code [from, to)} on this CPU (u32 values, {@code to} may wrap). */
    void expect(int cpu, long from, long to) {
        windows.put(cpu, new long[] {from & 0xFFFF_FFFFL, to & 0xFFFF_FFFFL});
    }

    /** One record from a sink. */
    void received(int cpu, long seq) {
        long[] w = windows.get(cpu);
        if (w == null || !inWindow(seq & 0xFFFF_FFFFL, w)) return;
        seen.computeIfAbsent(cpu, c -> new HashMap<>()).merge(seq & 0xFFFF_FFFFL, 1, Integer::sum);
    }

    Verdict verdict() {
        long expected = 0;
        long missing = 0;
        long duplicates = 0;
        Map<Integer, Long> missingByCpu = new TreeMap<>();
        for (Map.Entry<Integer, long[]> e : windows.entrySet()) {
            long size = (e.getValue()[1] - e.getValue()[0]) & 0xFFFF_FFFFL;
            Map<Long, Integer> got = seen.getOrDefault(e.getKey(), Map.of());
            expected += size;
            long miss = size - got.size();
            if (miss > 0) missingByCpu.put(e.getKey(), miss);
            missing += miss;
            for (int n : got.values()) duplicates += n - 1;
        }
        return new Verdict(expected, missing, duplicates, missingByCpu);
    }

    private static boolean inWindow(long seq, long[] w) {
        return ((seq - w[0]) & 0xFFFF_FFFFL) < ((w[1] - w[0]) & 0xFFFF_FFFFL);
    }

    record Verdict(long expected, long missing, long duplicates, Map<Integer, Long> missingByCpu) {
        @Override
        public String toString() {
            return "expected=" + expected + " missing=" + missing + " duplicates=" + duplicates
                    + (missingByCpu.isEmpty() ? "" : " missingByCpu=" + missingByCpu);
        }
    }
}
