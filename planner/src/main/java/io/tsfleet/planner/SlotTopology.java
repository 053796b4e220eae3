package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where the slots are: for every slot index (a coordinator's global slot index, or a CPU on a one-node fleet) the node
 * it belongs to, and for every node its zone. Immutable. {@link #NONE} (no topology) makes the planner behave exactly
 * as it does without locality: no slot is on any replica's node or zone.
 *
 * <p>Nodes are numbered in the order they were added to the builder ({@link #nodeIndex}); names are unique and no
 * slot belongs to two nodes. A zone is a free-form name; {@code null} or blank means "unknown", which never matches a
 * replica's zone.
 */
public final class SlotTopology {
    public static final int NO_NODE = -1;
    public static final SlotTopology NONE = new SlotTopology(new int[0], new String[0], new String[0]);

    private final int[] nodeOfSlot;      // by slot: node index or NO_NODE
    private final String[] nodeNames;    // by node index
    private final String[] zoneOfNode;   // by node index; null = unknown
    private final Map<String, Integer> indexByName;

    private SlotTopology(int[] nodeOfSlot, String[] nodeNames, String[] zoneOfNode) {
        this.nodeOfSlot = nodeOfSlot;
        this.nodeNames = nodeNames;
        this.zoneOfNode = zoneOfNode;
        this.indexByName = new HashMap<>();
        for (int i = 0; i < nodeNames.length; i++) indexByName.put(nodeNames[i], i);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when no slot has a node (then locality plays no part). */
    public boolean isEmpty() {
        return nodeNames.length == 0;
    }

    public int nodeCount() {
        return nodeNames.length;
    }

    /** The node index of a slot, or {@link #NO_NODE} when the slot has none. */
    public int nodeOf(int slot) {
        return slot >= 0 && slot < nodeOfSlot.length ? nodeOfSlot[slot] : NO_NODE;
    }

    /** The name of the node of a slot, or {@code null}. */
    public String nodeNameOf(int slot) {
        int n = nodeOf(slot);
        return n == NO_NODE ? null : nodeNames[n];
    }

    /** The zone of the node of a slot, or {@code null}. */
    public String zoneOf(int slot) {
        int n = nodeOf(slot);
        return n == NO_NODE ? null : zoneOfNode[n];
    }

    /** The node index of every slot, without a copy, for the planner's own read-only use. */
    int[] nodeOfSlotView() {
        return nodeOfSlot;
    }

    public String nodeName(int nodeIndex) {
        return nodeNames[nodeIndex];
    }

    /** The zone of a node (by index), or {@code null} when unknown. */
    public String nodeZone(int nodeIndex) {
        return zoneOfNode[nodeIndex];
    }

    /** The index of a node by name, or {@link #NO_NODE}. */
    public int nodeIndex(String name) {
        if (name == null) return NO_NODE;
        Integer i = indexByName.get(name);
        return i == null ? NO_NODE : i;
    }

    /** The zone of a node by name, or {@code null} when the node is unknown or has no zone. */
    public String zoneOfNode(String name) {
        int i = nodeIndex(name);
        return i == NO_NODE ? null : zoneOfNode[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlotTopology t && Arrays.equals(nodeOfSlot, t.nodeOfSlot) && Arrays.equals(nodeNames, t.nodeNames)
                && Arrays.equals(zoneOfNode, t.zoneOfNode);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(nodeOfSlot) + Arrays.hashCode(nodeNames);
    }

    @Override
    public String toString() {
        return "SlotTopology[" + nodeNames.length + " nodes, " + nodeOfSlot.length + " slot indices]";
    }

    /** Normalises an unknown node or zone name ({@code null} or blank) to {@code null}. */
    static String nameOrNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    public static final class Builder {
        private final List<String> names = new ArrayList<>();
        private final List<String> zones = new ArrayList<>();
        private final List<CpuSet> slots = new ArrayList<>();
        private final Map<String, Integer> seen = new HashMap<>();

        /**
         * Adds a node with its zone (null or blank: unknown) and its slot indices.
         *
         * @throws IllegalArgumentException for a blank or repeated name
         */
        public Builder node(String name, String zone, CpuSet nodeSlots) {
            Objects.requireNonNull(nodeSlots, "nodeSlots");
            if (name == null || name.isBlank()) throw new IllegalArgumentException("a node needs a name");
            if (seen.putIfAbsent(name, names.size()) != null) throw new IllegalArgumentException("node " + name + " given twice");
            names.add(name);
            zones.add(nameOrNull(zone));
            slots.add(nodeSlots);
            return this;
        }

        /** @throws IllegalArgumentException when a slot belongs to two nodes */
        public SlotTopology build() {
            if (names.isEmpty()) return NONE;
            int length = 0;
            for (CpuSet s : slots) length = Math.max(length, s.length());
            int[] nodeOfSlot = new int[length];
            Arrays.fill(nodeOfSlot, NO_NODE);
            for (int n = 0; n < slots.size(); n++) {
                CpuSet s = slots.get(n);
                for (int c = s.nextCpu(0); c >= 0; c = s.nextCpu(c + 1)) {
                    if (nodeOfSlot[c] != NO_NODE) {
                        throw new IllegalArgumentException("slot " + c + " belongs to both " + names.get(nodeOfSlot[c]) + " and " + names.get(n));
                    }
                    nodeOfSlot[c] = n;
                }
            }
            return new SlotTopology(nodeOfSlot, names.toArray(String[]::new), zones.toArray(String[]::new));
        }
    }
}
