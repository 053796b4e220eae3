package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The planner's working copy: arrays indexed by CPU and by replica index (replicas sorted by id), so that 131,072
 * slots x 256 replicas plan in milliseconds. Not thread-safe; lives for one {@code assign} call.
 */
final class PlanningState {
    static final int NONE = -1;

    final CpuSet possible;
    final String[] ids;
    final ReplicaRole[] role;
    final double[] limit;          // headroom x capacity, +inf when the capacity is unknown
    final double[] replicaLoad;    // sum of planning weights of owned CPUs
    final SlotBits[] cpusOf;
    final int[] owner;             // by CPU: replica index or NONE
    final int[] original;          // by CPU: current owner index or NONE
    final boolean[] locked;        // by CPU: pinned or a dedicated hot CPU; never moved by later phases
    final double[] weight;         // by CPU: load + base weight
    final double[] load;           // by CPU: true load
    final PlannerSettings settings;
    /** True when the input has a topology; without one every locality array below is unused and every distance 2. */
    final boolean local;
    final int[] slotNode;          // by CPU: node index or NONE (only with a topology; the topology's own array)
    final int[] nodeZone;          // by node: zone index or NONE (only with a topology)
    final int[] replicaNode;       // by replica: node index in the topology or NONE
    final int[] replicaZone;       // by replica: zone index or NONE
    final int zoneCount;
    /** The heaviest CPU owned by a general replica, once balancing asked (it cannot change afterwards); NaN before. */
    double maxGeneralWeight = Double.NaN;
    /**
     * The possible CPUs as ranges, ascending: range {@code k} is {@code rangeStart[k] <= cpu < rangeEnd[k]}. Loops over
     * the possible CPUs go range by range (a possible set is a few ranges, and {@link CpuSet#nextAbsent} scans a long
     * range word by word to its end, so it is asked once per range here and never again).
     */
    final int[] rangeStart;
    final int[] rangeEnd;
    /** The heaviest possible CPU. */
    final double maxWeight;
    /** The number of possible CPUs without an owner. */
    int uncovered;
    /** The sum of the weights of all possible CPUs, in ascending order of CPU. */
    final double totalWeight;
    /** The number of locked CPUs. */
    int lockedCount;
    /** By replica: its current mask when all of it is possible and its own (not claimed first by another), else null. */
    final CpuSet[] current;
    /** By replica: the size of {@link #current}. */
    final int[] currentSize;

    /** Scratch space of balancing: candidate CPUs and their gains (see {@link #candidateScratch}). */
    private int[] candidateScratch = new int[0];
    double[] gainScratch = new double[0];

    PlanningState(PlanningInput input) {
        this.possible = input.possibleCpus();
        this.settings = input.settings();
        int n = possible.length();
        int r = input.replicas().size();
        ids = new String[r];
        role = new ReplicaRole[r];
        limit = new double[r];
        replicaLoad = new double[r];
        cpusOf = new SlotBits[r];
        current = new CpuSet[r];
        currentSize = new int[r];
        Map<String, Integer> index = new HashMap<>();
        // Only draining replicas are left: coverage beats draining, they keep what they have (as general replicas).
        boolean allDraining = input.replicas().stream().allMatch(ReplicaSlot::draining);
        for (int i = 0; i < r; i++) {
            ReplicaSlot slot = input.replicas().get(i);
            ids[i] = slot.id();
            role[i] = slot.draining() && !allDraining ? ReplicaRole.DRAINING : ReplicaRole.GENERAL;
            limit[i] = slot.capacityPerSecond() > 0 ? slot.capacityPerSecond() * settings.headroom() : Double.POSITIVE_INFINITY;
            cpusOf[i] = new SlotBits();
            index.put(slot.id(), i);
        }
        owner = new int[n];
        original = new int[n];
        locked = new boolean[n];
        weight = new double[n];
        double[] loads = input.loadsView();
        load = loads.length >= n ? loads : java.util.Arrays.copyOf(loads, n); // read only
        java.util.Arrays.fill(owner, NONE);
        java.util.Arrays.fill(original, NONE);
        double base = settings.cpuBaseWeight();
        double heaviest = 0, sum = 0;
        int ranges = 0;
        for (int start = possible.nextCpu(0); start >= 0; start = possible.nextCpu(possible.nextAbsent(start))) ranges++;
        rangeStart = new int[ranges];
        rangeEnd = new int[ranges];
        for (int k = 0, start = possible.nextCpu(0); k < ranges; k++) {
            rangeStart[k] = start;
            rangeEnd[k] = possible.nextAbsent(start);
            start = possible.nextCpu(rangeEnd[k]);
        }
        // Range by range: the same CPUs in the same ascending order as one by one.
        for (int k = 0; k < ranges; k++) {
            for (int c = rangeStart[k], end = rangeEnd[k]; c < end; c++) {
                double w = load[c] + base;
                weight[c] = w;
                heaviest = Math.max(heaviest, w);
                sum += w;
            }
        }
        maxWeight = heaviest;
        totalWeight = sum;
        uncovered = possible.size();
        SlotTopology topology = input.topology();
        local = !topology.isEmpty();
        replicaNode = new int[r];
        replicaZone = new int[r];
        java.util.Arrays.fill(replicaNode, NONE);
        java.util.Arrays.fill(replicaZone, NONE);
        if (local) {
            Map<String, Integer> zones = new HashMap<>();
            nodeZone = new int[topology.nodeCount()];
            for (int node = 0; node < nodeZone.length; node++) nodeZone[node] = zoneIndex(zones, topology.nodeZone(node));
            for (int i = 0; i < r; i++) {
                ReplicaSlot slot = input.replicas().get(i);
                replicaNode[i] = topology.nodeIndex(slot.node());
                String zone = slot.zone() != null ? slot.zone() : topology.zoneOfNode(slot.node());
                replicaZone[i] = zoneIndex(zones, zone);
            }
            int[] nodes = topology.nodeOfSlotView();
            if (nodes.length >= n) {
                slotNode = nodes;
            } else {
                slotNode = java.util.Arrays.copyOf(nodes, n);
                java.util.Arrays.fill(slotNode, nodes.length, n, NONE);
            }
            zoneCount = zones.size();
        } else {
            slotNode = new int[0];
            nodeZone = new int[0];
            zoneCount = 0;
        }
        // Iterate the current masks in id order (the input map is sorted): the first owner of a CPU wins, so a
        // CPU reported by two replicas is resolved deterministically. Sticky start (Kafka's Keep): every CPU stays
        // with its current owner unless that one drains; a replica's load adds its CPUs in ascending order.
        for (Map.Entry<String, CpuSet> e : input.current().entrySet()) {
            Integer boxed = index.get(e.getKey());
            if (boxed == null) continue;
            int i = boxed;
            CpuSet mask = e.getValue();
            boolean keeps = role[i] != ReplicaRole.DRAINING;
            int first = firstOf(mask);
            if (keeps && first >= 0) cpusOf[i].reserve(first, mask.length() - 1);
            double kept = replicaLoad[i];
            int claimed = 0;
            // The mask's CPUs that are possible, in ascending order, range by range: each range of the mask cut
            // into the possible ranges it overlaps (a CPU at or above n is never possible).
            for (int start = first; start >= 0 && start < n; ) {
                int end = Math.min(mask.nextAbsent(start), n);
                for (int k = rangeEndingAfter(start); k < rangeStart.length && rangeStart[k] < end; k++) {
                    for (int c = Math.max(start, rangeStart[k]), to = Math.min(rangeEnd[k], end); c < to; c++) {
                        if (original[c] != NONE) continue;
                        original[c] = i;
                        claimed++;
                        if (keeps) {
                            owner[c] = i;
                            cpusOf[i].setReserved(c);
                            kept += weight[c];
                            uncovered--;
                        }
                    }
                }
                start = end < n ? mask.nextCpu(end) : -1;
            }
            replicaLoad[i] = kept;
            if (claimed == mask.size()) {
                current[i] = mask; // every CPU of the mask is possible and the replica's own
                currentSize[i] = claimed;
            }
        }
    }

    /** The index of the first possible range that ends after {@code cpu} ({@code rangeStart.length} when none does). */
    int rangeEndingAfter(int cpu) {
        int lo = 0, hi = rangeEnd.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (rangeEnd[mid] > cpu) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /**
     * The lowest CPU of a mask, or -1 when it is empty. A mask that is one range (a settled plan's usually is) is
     * recognised from its end without scanning the words below it, which {@link CpuSet#first} would.
     */
    static int firstOf(CpuSet mask) {
        int size = mask.size();
        if (size == 0) return -1;
        int length = mask.length();
        int low = length - size;
        // low..length-1 all in the mask: those are its size CPUs, so there is none below low.
        if (mask.contains(low) && mask.nextAbsent(low) == length) return low;
        return mask.first();
    }

    /** The zone index of a CPU, or NONE (only with a topology). */
    int slotZone(int cpu) {
        int node = slotNode[cpu];
        return node == NONE ? NONE : nodeZone[node];
    }

    private static int zoneIndex(Map<String, Integer> zones, String zone) {
        if (zone == null) return NONE;
        return zones.computeIfAbsent(zone, z -> zones.size());
    }

    /**
     * How far a CPU is from a replica: 0 on the replica's node, 1 in its zone, 2 otherwise (and always 2 without a
     * topology, so that locality never decides anything then).
     */
    int distance(int cpu, int replica) {
        if (!local) return 2;
        int node = slotNode[cpu];
        if (node != NONE && node == replicaNode[replica]) return 0;
        int zone = node == NONE ? NONE : nodeZone[node];
        return zone != NONE && zone == replicaZone[replica] ? 1 : 2;
    }

    /** An int array of at least {@code size} entries, and {@link #gainScratch} as long; reused from call to call. */
    int[] candidateScratch(int size) {
        if (candidateScratch.length < size) {
            int grown = Math.max(size, 2 * candidateScratch.length);
            candidateScratch = new int[grown];
            gainScratch = new double[grown];
        }
        return candidateScratch;
    }

    int replicaCount() {
        return ids.length;
    }

    int index(String id) {
        for (int i = 0; i < ids.length; i++) if (ids[i].equals(id)) return i;
        return NONE;
    }

    void assign(int cpu, int replica) {
        int old = owner[cpu];
        if (old == replica) return;
        if (old == NONE) uncovered--;
        else if (replica == NONE) uncovered++;
        if (old != NONE) {
            cpusOf[old].clear(cpu);
            replicaLoad[old] -= weight[cpu];
        }
        owner[cpu] = replica;
        if (replica != NONE) {
            cpusOf[replica].set(cpu);
            replicaLoad[replica] += weight[cpu];
        }
    }

    void lock(int cpu) {
        if (!locked[cpu]) {
            locked[cpu] = true;
            lockedCount++;
        }
    }

    void unassign(int cpu) {
        assign(cpu, NONE);
    }

    /** True when {@code cpu} is possible and owned by {@code replica}. */
    boolean ownedBy(int cpu, int replica) {
        return cpu >= 0 && cpu < owner.length && owner[cpu] == replica && replica != NONE;
    }

    int ownerOrNone(int cpu) {
        return cpu >= 0 && cpu < owner.length ? owner[cpu] : NONE;
    }

    List<Integer> replicasWithRole(ReplicaRole wanted) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) if (role[i] == wanted) out.add(i);
        return out;
    }

    boolean fits(int replica, double w) {
        return replicaLoad[replica] + w <= limit[replica] * (1 + 1e-12);
    }

    double excess(int replica) {
        return Math.max(0, replicaLoad[replica] - limit[replica]);
    }

    /** True when moving {@code cpu} would keep both masks at least as compact (it sits at a boundary). */
    boolean compactMove(int cpu, int from, int to) {
        boolean boundaryOfFrom = !ownedBy(cpu - 1, from) || !ownedBy(cpu + 1, from);
        boolean adjacentToTo = ownedBy(cpu - 1, to) || ownedBy(cpu + 1, to);
        return boundaryOfFrom && adjacentToTo;
    }

    int compactnessScore(int cpu, int from, int to) {
        int s = 0;
        if (ownedBy(cpu - 1, to) || ownedBy(cpu + 1, to)) s += 2;
        if (!ownedBy(cpu - 1, from) || !ownedBy(cpu + 1, from)) s += 1;
        return s;
    }
}
