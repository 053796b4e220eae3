package io.tsfleet.coordinator.domain.policy;

/**
 * @param currentReplicas   live replicas that are not draining
 * @param rawNeed           replicas the load needs right now with headroom (before tolerance and stabilization),
 *                          or -1 when no replica has measured its capacity yet
 * @param desiredReplicas   the recommendation: fast up, slow down
 * @param totalLoad         total exit rate (exits/s)
 * @param typicalCapacity   the median measured replica capacity (exits/s), 0 when unknown
 * @param hotCpus           CPUs hotter than one replica's headroom limit: one replica each, an alert
 */
public record ScalingRecommendation(int currentReplicas, int rawNeed, int desiredReplicas, double totalLoad,
                                    double typicalCapacity, int hotCpus) {
}
