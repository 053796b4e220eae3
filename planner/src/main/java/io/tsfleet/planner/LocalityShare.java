package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * How local an assignment is: the load (exits/s, without the planner's base weight) of the slots whose owner runs on
 * another node, and of those whose owner runs in another zone, out of the total load of the assigned slots.
 *
 * <p>A slot is <em>on-node</em> when its node (from the topology) is the owner's node; <em>in-zone</em> when it is
 * on-node or when the slot's zone and the owner's zone (its own, else the zone of its node in the topology) are both
 * known and equal. Everything else counts as cross-node, respectively cross-zone: a slot without a node in the
 * topology, or an owner whose node or zone is unknown, is counted as remote (the planner treats it the same way). So
 * {@code crossZoneLoad <= crossNodeLoad <= totalLoad}.
 *
 * @param totalLoad     the load of every slot of the assignment
 * @param crossNodeLoad the part of it whose owner runs on another node
 * @param crossZoneLoad the part of it whose owner runs in another zone
 */
public record LocalityShare(double totalLoad, double crossNodeLoad, double crossZoneLoad) {

    /** The cross-node share of the load, 0 when there is no load. */
    public double crossNodeShare() {
        return totalLoad > 0 ? crossNodeLoad / totalLoad : 0;
    }

    /** The cross-zone share of the load, 0 when there is no load. */
    public double crossZoneShare() {
        return totalLoad > 0 ? crossZoneLoad / totalLoad : 0;
    }

    /**
     * Measures an assignment.
     *
     * @param assignment replica id to the slots it owns
     * @param replicas   where the replicas run (node and zone); an id of the assignment that is not among them has an
     *                   unknown location
     * @param slotLoads  load per slot index (exits/s); missing entries count as 0
     * @param topology   the node of each slot and the zone of each node
     */
    public static LocalityShare of(Map<String, CpuSet> assignment, Collection<ReplicaSlot> replicas, double[] slotLoads, SlotTopology topology) {
        Map<String, ReplicaSlot> byId = new HashMap<>();
        for (ReplicaSlot r : replicas) byId.put(r.id(), r);
        double total = 0, crossNode = 0, crossZone = 0;
        for (Map.Entry<String, CpuSet> e : assignment.entrySet()) {
            ReplicaSlot replica = byId.get(e.getKey());
            int node = replica == null ? SlotTopology.NO_NODE : topology.nodeIndex(replica.node());
            String zone = replica == null ? null : replica.zone() != null ? replica.zone() : topology.zoneOfNode(replica.node());
            CpuSet slots = e.getValue();
            for (int c = slots.nextCpu(0); c >= 0; c = slots.nextCpu(c + 1)) {
                double l = c < slotLoads.length ? slotLoads[c] : 0;
                total += l;
                int slotNode = topology.nodeOf(c);
                if (slotNode != SlotTopology.NO_NODE && slotNode == node) continue;
                crossNode += l;
                String slotZone = slotNode == SlotTopology.NO_NODE ? null : topology.nodeZone(slotNode);
                if (slotZone == null || !slotZone.equals(zone)) crossZone += l;
            }
        }
        return new LocalityShare(total, crossNode, crossZone);
    }

    /** Measures a plan with the loads, replicas and topology of its input. */
    public static LocalityShare of(TargetAssignment plan, PlanningInput input) {
        return of(plan.masks(), input.replicas(), input.cpuLoads(), input.topology());
    }
}
