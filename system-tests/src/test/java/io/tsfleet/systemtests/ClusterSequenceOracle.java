package io.tsfleet.systemtests;

import java.util.Map;
import java.util.TreeMap;

/**
 * The {@link SequenceOracle} of a fleet of several nodes: one per sequence space, (node, boot id). A node numbers each
 * CPU's exits from its boot on, so a reboot starts a new space (seq 0.. again under a new boot id) and the two boots'
 * sequence numbers are never compared: {@code (node, boot_id, cpu, seq)} is the key of an exit. Records of a space
 * without a window are ignored (another scenario's, or a boot the window does not cover).
 */
final class ClusterSequenceOracle {
    /** A sequence space: one boot of one node. */
    record Space(String node, String bootId) implements Comparable<Space> {
        @Override
        public int compareTo(Space o) {
            int c = node.compareTo(o.node);
            return c != 0 ? c : bootId.compareTo(o.bootId);
        }

        @Override
        public String toString() {
            return node + "/" + bootId.substring(0, Math.min(8, bootId.length()));
        }
    }

    private final Map<Space, SequenceOracle> spaces = new TreeMap<>();

    /** Declares that this boot of this node assigned seqs {@code [from, to)} on the CPU (u32 values, {@code to} may wrap). */
    void expect(String node, String bootId, int cpu, long from, long to) {
        spaces.computeIfAbsent(new Space(node, bootId), s -> new SequenceOracle()).expect(cpu, from, to);
    }

    /** Declares a whole boot's window: per CPU, {@code [from.get(cpu), to.get(cpu))}; a CPU missing from {@code from} starts at 0. */
    void expect(String node, String bootId, Map<Integer, Long> from, Map<Integer, Long> to) {
        to.forEach((cpu, end) -> expect(node, bootId, cpu, from.getOrDefault(cpu, 0L), end));
    }

    /** One record from a sink, by the node and boot id it carries. */
    void received(String node, String bootId, int cpu, long seq) {
        if (node == null || bootId == null) return;
        SequenceOracle o = spaces.get(new Space(node, bootId));
        if (o != null) o.received(cpu, seq);
    }

    Verdict verdict() {
        Map<Space, SequenceOracle.Verdict> each = new TreeMap<>();
        spaces.forEach((s, o) -> each.put(s, o.verdict()));
        return new Verdict(each);
    }

    /** The verdict of every space, and their sums. */
    record Verdict(Map<Space, SequenceOracle.Verdict> spaces) {
        long expected() {
            return spaces.values().stream().mapToLong(SequenceOracle.Verdict::expected).sum();
        }

        long missing() {
            return spaces.values().stream().mapToLong(SequenceOracle.Verdict::missing).sum();
        }

        long duplicates() {
            return spaces.values().stream().mapToLong(SequenceOracle.Verdict::duplicates).sum();
        }

        /** Missing records per node (over its boots). */
        Map<String, Long> missingByNode() {
            Map<String, Long> out = new TreeMap<>();
            spaces.forEach((s, v) -> {
                if (v.missing() > 0) out.merge(s.node(), v.missing(), Long::sum);
            });
            return out;
        }

        /** Missing records per "node:cpu". */
        Map<String, Long> missingBySlot() {
            Map<String, Long> out = new TreeMap<>();
            spaces.forEach((s, v) -> v.missingByCpu().forEach((cpu, n) -> out.merge(s.node() + ":" + cpu, n, Long::sum)));
            return out;
        }

        /** The verdict of one node, over its boots. */
        SequenceOracle.Verdict of(String node) {
            long expected = 0, missing = 0, duplicates = 0;
            Map<Integer, Long> byCpu = new TreeMap<>();
            for (Map.Entry<Space, SequenceOracle.Verdict> e : spaces.entrySet()) {
                if (!e.getKey().node().equals(node)) continue;
                expected += e.getValue().expected();
                missing += e.getValue().missing();
                duplicates += e.getValue().duplicates();
                e.getValue().missingByCpu().forEach((cpu, n) -> byCpu.merge(cpu, n, Long::sum));
            }
            return new SequenceOracle.Verdict(expected, missing, duplicates, byCpu);
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("expected=" + expected() + " missing=" + missing() + " duplicates=" + duplicates() + " {");
            String sep = "";
            for (Map.Entry<Space, SequenceOracle.Verdict> e : spaces.entrySet()) {
                b.append(sep).append(e.getKey()).append(": ").append(e.getValue());
                sep = "; ";
            }
            return b.append('}').toString();
        }
    }
}
