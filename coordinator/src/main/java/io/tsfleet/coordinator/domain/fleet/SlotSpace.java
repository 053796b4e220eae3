package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where the slots are: every node of the fleet owns a block of consecutive <em>slot indices</em>, and slot
 * {@code offset + cpu} is CPU {@code cpu} of that node. Inside the coordinator a slot is that integer, so the planner
 * and the {@link CpuTable} keep working on bitsets; (node, CPU) pairs exist only at the edges (heartbeats, directives,
 * the admin API, the store).
 *
 * <p>A node keeps its block for as long as it is live, so a node that joins or leaves moves no other node's slots. A
 * new node takes the first gap that fits it (the lowest offsets first), so the index space stays about as large as
 * the CPUs of the live nodes. A static fleet ({@code tsfleet.coordinator.possible-cpus}) is one node at offset 0:
 * slot and CPU are the same number, as before nodes existed.
 *
 * <p>Immutable: every change answers a new space, which the coordinator publishes for the heartbeat parsing that runs
 * outside its lock.
 */
public final class SlotSpace {

    /**
     * One node's block.
     *
     * @param node    the node's name
     * @param bootId  the node's boot (null when unknown: a static fleet)
     * @param broker  the node's advertised broker {@code host:port} (null: replicas use their own configured broker)
     * @param zone    the node's zone (null when unknown)
     * @param cpus    the node's possible CPUs
     * @param offset  the slot index of the node's CPU 0
     */
    public record NodeBlock(String node, String bootId, String broker, String zone, CpuSet cpus, int offset) {
        public NodeBlock {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(cpus, "cpus");
            if (cpus.isEmpty()) throw new IllegalArgumentException("node " + node + " has no CPUs");
            if (offset < 0) throw new IllegalArgumentException("negative offset");
        }

        /** How many slot indices the block spans: the node's highest CPU + 1. */
        public int width() {
            return cpus.length();
        }

        /** The node's slots as slot indices. */
        public CpuSet slots() {
            return offset == 0 ? cpus : cpus.shift(offset);
        }

        public boolean holds(int slot) {
            return slot >= offset && slot < offset + width() && cpus.contains(slot - offset);
        }

        NodeBlock moved(String newBootId, String newBroker, String newZone) {
            return new NodeBlock(node, newBootId, newBroker, newZone, cpus, offset);
        }
    }

    /** A (node, CPU) pair. */
    public record Slot(String node, int cpu) {
    }

    /** The most slot indices there can be: 1,024 nodes of the largest machine the project supports, with room to spare. */
    public static final int MAX_SLOTS = 1 << 23;

    public static final SlotSpace EMPTY = new SlotSpace(List.of());

    private final List<NodeBlock> byOffset;
    private final Map<String, NodeBlock> byName;
    private final int[] offsets;
    private final CpuSet slots;
    private volatile io.tsfleet.planner.SlotTopology topology;

    private SlotSpace(List<NodeBlock> blocks) {
        List<NodeBlock> sorted = new ArrayList<>(blocks);
        sorted.sort((a, b) -> Integer.compare(a.offset(), b.offset()));
        Map<String, NodeBlock> names = new TreeMap<>();
        offsets = new int[sorted.size()];
        CpuSet.Builder all = CpuSet.builder();
        for (int i = 0; i < sorted.size(); i++) {
            NodeBlock b = sorted.get(i);
            if (i > 0 && sorted.get(i - 1).offset() + sorted.get(i - 1).width() > b.offset()) {
                throw new IllegalArgumentException("the blocks of nodes " + sorted.get(i - 1).node() + " and " + b.node() + " overlap");
            }
            if (names.put(b.node(), b) != null) throw new IllegalArgumentException("node " + b.node() + " twice");
            offsets[i] = b.offset();
            int offset = b.offset();
            b.cpus().forEach(c -> all.add(offset + c));
        }
        byOffset = Collections.unmodifiableList(sorted);
        byName = Collections.unmodifiableMap(names);
        slots = all.build();
    }

    /** A static fleet: one node whose CPUs are the slots. */
    public static SlotSpace staticNode(String node, CpuSet cpus) {
        return new SlotSpace(List.of(new NodeBlock(node, null, null, null, cpus, 0)));
    }

    /** The space of exactly these blocks (a restored layout); refuses overlapping blocks and repeated names. */
    public static SlotSpace of(List<NodeBlock> blocks) {
        return new SlotSpace(blocks);
    }

    /** Every slot of every node. */
    public CpuSet slots() {
        return slots;
    }

    public List<NodeBlock> blocks() {
        return byOffset;
    }

    public int nodeCount() {
        return byOffset.size();
    }

    public NodeBlock node(String name) {
        return byName.get(name);
    }

    /** The block that holds {@code slot}, or null. */
    public NodeBlock blockOf(int slot) {
        int i = java.util.Arrays.binarySearch(offsets, slot);
        if (i < 0) i = -i - 2;
        if (i < 0) return null;
        NodeBlock b = byOffset.get(i);
        return b.holds(slot) ? b : null;
    }

    /** The (node, CPU) of a slot, or null when no node holds it. */
    public Slot slot(int slot) {
        NodeBlock b = blockOf(slot);
        return b == null ? null : new Slot(b.node(), slot - b.offset());
    }

    /** The slot of CPU {@code cpu} of {@code node}, or -1 when the node has no such CPU. */
    public int slotOf(String node, int cpu) {
        NodeBlock b = byName.get(node);
        return b == null || !b.cpus().contains(cpu) ? -1 : b.offset() + cpu;
    }

    /** The slots of {@code cpus} on {@code node}: null when the node is unknown; CPUs the node does not have are left out. */
    public CpuSet slotsOf(String node, CpuSet cpus) {
        NodeBlock b = byName.get(node);
        if (b == null) return null;
        CpuSet mine = cpus.intersect(b.cpus());
        return b.offset() == 0 ? mine : mine.shift(b.offset());
    }

    /** {@code slots} split by node: node name to that node's CPUs (only nodes with at least one slot of the set). */
    public Map<String, CpuSet> split(CpuSet slotSet) {
        Map<String, CpuSet> out = new TreeMap<>();
        forEachNode(slotSet, (b, mine) -> out.put(b.node(), mine));
        return out;
    }

    /**
     * Calls {@code action} with every block that holds at least one slot of {@code slotSet} and the block's CPUs among
     * them, in slot order. Walks the set's slots and jumps from block to block, so it costs the set's size and the
     * blocks it touches, not nodes x slots (a set operation per block over the whole space would).
     */
    private void forEachNode(CpuSet slotSet, java.util.function.BiConsumer<NodeBlock, CpuSet> action) {
        int s = slotSet.nextCpu(0);
        while (s >= 0) {
            int i = java.util.Arrays.binarySearch(offsets, s);
            if (i < 0) i = -i - 2;
            if (i < 0 || offsets[i] + byOffset.get(i).width() <= s) i++;  // s lies before the first block or in a gap
            if (i >= byOffset.size()) return;
            NodeBlock b = byOffset.get(i);
            int from = b.offset();
            if (s < from) {
                s = slotSet.nextCpu(from);
                continue;
            }
            int to = from + b.width();
            CpuSet.Builder mine = null;
            for (; s >= 0 && s < to; s = slotSet.nextCpu(s + 1)) {
                if (!b.cpus().contains(s - from)) continue;
                if (mine == null) mine = CpuSet.builder();
                mine.add(s - from);
            }
            if (mine != null) action.accept(b, mine.build());
        }
    }

    /** A new node's block in the first gap that fits it. */
    public SlotSpace withNode(String node, String bootId, String broker, String zone, CpuSet cpus) {
        if (byName.containsKey(node)) throw new IllegalArgumentException("node " + node + " is in the space already");
        int width = cpus.length();
        int offset = 0;
        for (NodeBlock b : byOffset) {
            if (b.offset() - offset >= width) break;
            offset = b.offset() + b.width();
        }
        if ((long) offset + width > MAX_SLOTS) throw new IllegalStateException("no room for node " + node + " among " + MAX_SLOTS + " slot indices");
        List<NodeBlock> next = new ArrayList<>(byOffset);
        next.add(new NodeBlock(node, bootId, broker, zone, cpus, offset));
        return new SlotSpace(next);
    }

    /** The space without {@code node} (its slots are gone). */
    public SlotSpace withoutNode(String node) {
        List<NodeBlock> next = new ArrayList<>(byOffset);
        next.removeIf(b -> b.node().equals(node));
        return new SlotSpace(next);
    }

    /** The same blocks, {@code node}'s with a new boot, broker and zone. */
    public SlotSpace withNodeFacts(String node, String bootId, String broker, String zone) {
        List<NodeBlock> next = new ArrayList<>(byOffset);
        next.replaceAll(b -> b.node().equals(node) ? b.moved(bootId, broker, zone) : b);
        return new SlotSpace(next);
    }

    /**
     * A slot set as people read it: on a fleet of one node (whose slots are its CPUs) the cpulist, as before nodes
     * existed; otherwise each node's CPUs as {@code node:cpulist}, nodes by slot order, separated by {@code ;}
     * ({@code worker-1:0-15;worker-2:4-7}). Slots no node holds are left out.
     */
    public String describe(CpuSet slotSet) {
        if (byOffset.size() <= 1 && (byOffset.isEmpty() || byOffset.get(0).offset() == 0)) {
            return byOffset.isEmpty() ? "" : slotSet.intersect(byOffset.get(0).cpus()).toCpulist();
        }
        StringBuilder sb = new StringBuilder();
        forEachNode(slotSet, (b, mine) -> {
            if (!sb.isEmpty()) sb.append(';');
            sb.append(b.node()).append(':').append(mine.toCpulist());
        });
        return sb.toString();
    }

    /**
     * Where the slots are: each node's slots with its zone, for the planner's locality and the locality metrics. Built
     * once per space (a space never changes).
     */
    public io.tsfleet.planner.SlotTopology topology() {
        if (byOffset.isEmpty()) return io.tsfleet.planner.SlotTopology.NONE;
        io.tsfleet.planner.SlotTopology t = topology;
        if (t == null) {
            io.tsfleet.planner.SlotTopology.Builder b = io.tsfleet.planner.SlotTopology.builder();
            for (NodeBlock block : byOffset) b.node(block.node(), block.zone(), block.slots());
            topology = t = b.build();
        }
        return t;
    }
}
