package io.tsfleet.planner;

import java.util.Objects;

/**
 * A live replica as the planner sees it.
 *
 * @param id                 the replica id
 * @param capacityPerSecond  the record rate the replica sustains without loss; 0 when not yet measured (then
 *                           the replica has no capacity limit in planning)
 * @param draining           a draining replica receives no CPUs and gives all of its CPUs away
 */
public record ReplicaSlot(String id, double capacityPerSecond, boolean draining) {
    public ReplicaSlot {
        Objects.requireNonNull(id, "id");
        if (!(capacityPerSecond >= 0) || Double.isInfinite(capacityPerSecond)) {
            throw new IllegalArgumentException("capacity must be a finite non-negative number: " + capacityPerSecond);
        }
    }

    public static ReplicaSlot active(String id, double capacityPerSecond) {
        return new ReplicaSlot(id, capacityPerSecond, false);
    }
}
