package io.tsfleet.planner;

import java.util.Objects;

/**
 * A live replica as the planner sees it.
 *
 * @param id                 the replica id
 * @param capacityPerSecond  the record rate the replica sustains without loss; 0 when not yet measured (then
 *                           the replica has no capacity limit in planning)
 * @param draining           a draining replica receives no CPUs and gives all of its CPUs away
 * @param node               the node the replica runs on, or {@code null} when unknown (blank counts as unknown)
 * @param zone               the zone the replica runs in, or {@code null} when unknown (then the zone of its node in
 *                           the planning input's topology, if any, is used)
 */
public record ReplicaSlot(String id, double capacityPerSecond, boolean draining, String node, String zone) {
    public ReplicaSlot {
        Objects.requireNonNull(id, "id");
        if (!(capacityPerSecond >= 0) || Double.isInfinite(capacityPerSecond)) {
            throw new IllegalArgumentException("capacity must be a finite non-negative number: " + capacityPerSecond);
        }
        node = SlotTopology.nameOrNull(node);
        zone = SlotTopology.nameOrNull(zone);
    }

    /** A replica whose location is unknown (no locality preference). */
    public ReplicaSlot(String id, double capacityPerSecond, boolean draining) {
        this(id, capacityPerSecond, draining, null, null);
    }

    public static ReplicaSlot active(String id, double capacityPerSecond) {
        return new ReplicaSlot(id, capacityPerSecond, false, null, null);
    }

    /** The same replica running on {@code node} in {@code zone} (either may be null). */
    public ReplicaSlot at(String newNode, String newZone) {
        return new ReplicaSlot(id, capacityPerSecond, draining, newNode, newZone);
    }
}
