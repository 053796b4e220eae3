package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.SlotSpace;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;

/** Input checks shared by the heartbeat and the admin operations. */
public final class Validation {
    private Validation() {
    }

    /** Replica ids are Kubernetes-name-like: 1-253 characters of letters, digits, '.', '_' and '-'. */
    public static boolean isReplicaId(String id) {
        return id != null && id.length() >= 1 && id.length() <= 253 && id.chars().allMatch(ch ->
                (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-');
    }

    private static final java.util.regex.Pattern LABEL_VALUE = java.util.regex.Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    /** A Kubernetes label value (a zone): at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric. */
    public static boolean isLabelValue(String value) {
        return value != null && LABEL_VALUE.matcher(value).matches();
    }

    /**
     * The longest cpulist accepted anywhere: the kernel's own limit for a cpumask attribute ({@code
     * TASKSTATS_CPUMASK_MAXLEN}, 100 + 6 x NR_CPUS characters) with NR_CPUS the most CPUs the project supports.
     * Parsing a cpulist costs time in the CPUs it names, not in its length ({@code 0-8191:1/1} names 8192), so this
     * bounds the work of a request before any parsing starts.
     */
    public static final int MAX_CPULIST_LENGTH = CpulistParser.maxAttributeLength(CpulistParser.MAX_NR_CPUS);

    /** Refuses a cpulist longer than {@link #MAX_CPULIST_LENGTH} before it is parsed. */
    public static void checkCpulistLength(String field, String cpulist) {
        if (cpulist != null && cpulist.length() > MAX_CPULIST_LENGTH) {
            throw new CoordinatorException.InvalidRequest(field + " is " + cpulist.length() + " characters long; a cpulist may have at most "
                    + MAX_CPULIST_LENGTH + " (the kernel's limit for " + CpulistParser.MAX_NR_CPUS + " CPUs)");
        }
    }

    /** Slots of one node named in an admin request. */
    public record NodeSlots(String node, CpuSet slots) {
    }

    /**
     * Resolves an admin request's node: the named one, or the only node of a fleet of one. A fleet of several nodes
     * needs the name.
     */
    public static SlotSpace.NodeBlock node(String node, SlotSpace space) {
        if (node == null || node.isBlank()) {
            if (space.nodeCount() == 1) return space.blocks().get(0);
            throw new CoordinatorException.InvalidRequest(space.nodeCount() == 0 ? "the fleet has no nodes yet"
                    : "the fleet has " + space.nodeCount() + " nodes: name the node (\"node\": \"<name>\")");
        }
        SlotSpace.NodeBlock block = space.node(node);
        if (block == null) throw new CoordinatorException.InvalidRequest("node '" + abbreviate(node) + "' is not a node of the fleet");
        return block;
    }

    /** The slot of CPU {@code cpu} of a node (see {@link #node}); refuses a CPU the node does not have. */
    public static int slot(String node, int cpu, SlotSpace space) {
        SlotSpace.NodeBlock block = node(node, space);
        if (!block.cpus().contains(cpu)) {
            throw new CoordinatorException.InvalidRequest("CPU " + cpu + " is not a possible CPU of node " + block.node() + " (possible: "
                    + abbreviate(block.cpus().toCpulist()) + ")");
        }
        return block.offset() + cpu;
    }

    /** Parses an admin cpulist of one node (see {@link #node}): a non-empty subset of that node's possible CPUs, as slots. */
    public static NodeSlots nodeSlots(String node, String cpulist, SlotSpace space) {
        if (cpulist == null || cpulist.isBlank()) throw new CoordinatorException.InvalidRequest("cpus must be a non-empty cpulist");
        checkCpulistLength("cpus", cpulist);
        CpuSet cpus;
        try {
            cpus = CpuSet.parse(cpulist);
        } catch (CpulistParseException e) {
            throw new CoordinatorException.InvalidRequest("'" + abbreviate(cpulist) + "' is not a valid cpulist: " + e.getMessage());
        }
        if (cpus.isEmpty()) throw new CoordinatorException.InvalidRequest("cpus must be a non-empty cpulist");
        SlotSpace.NodeBlock block = node(node, space);
        CpuSet outside = cpus.minus(block.cpus());
        if (!outside.isEmpty()) {
            throw new CoordinatorException.InvalidRequest("CPUs " + abbreviate(outside.toCpulist()) + " are not possible CPUs" + (space.nodeCount() > 1 || node != null
                    ? " of node " + block.node() : "") + " (possible: " + abbreviate(block.cpus().toCpulist()) + ")");
        }
        return new NodeSlots(block.node(), block.offset() == 0 ? cpus : cpus.shift(block.offset()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
