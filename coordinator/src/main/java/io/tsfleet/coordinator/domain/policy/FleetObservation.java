package io.tsfleet.coordinator.domain.policy;

import java.util.Set;

/**
 * What the policy looks at on each evaluation.
 *
 * @param imbalance         current {@code max / mean} replica load
 * @param floor             the physical floor {@code max(1, max CPU load x replicas / total load)}
 * @param overflowing       replicas that have kept losing records for at least the overflow sustain window
 * @param overCapacity      replicas currently above their headroom limit
 * @param reconciling       handovers in flight or planned moves not yet started
 */
public record FleetObservation(double imbalance, double floor, Set<String> overflowing, Set<String> overCapacity,
                               boolean reconciling) {
}
