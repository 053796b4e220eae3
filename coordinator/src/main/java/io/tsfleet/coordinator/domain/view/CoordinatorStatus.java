package io.tsfleet.coordinator.domain.view;

import java.util.Map;

/**
 * The numbers behind the coordinator's metrics, taken after every operation; {@code GET /api/v1/status} answers it.
 * The counters are those of this coordinator's term; {@code refusedHeartbeats} holds the reasons refused at least
 * once (labels of {@code HeartbeatRefusal}), {@code rebalancesByTrigger} every trigger. {@code slots} counts the
 * (node, CPU) slots of the fleet; {@code crossNodeLoadShare} and {@code crossZoneLoadShare} are the shares of the load
 * (exits/s) whose owner runs on another node, or in another zone, than the slot (0..1; a replica that does not say
 * where it runs counts as remote).
 */
public record CoordinatorStatus(long generation, int slots, int uncoveredCpus, Map<String, Integer> replicasByState,
                                int handoversInFlight, int handoversWaitingForTraffic, int pendingMoves,
                                double imbalanceRatio, double imbalanceFloorRatio, int desiredReplicas, int hotCpus,
                                Map<String, Long> rebalancesByTrigger, long cpusMoved, long handoversCompleted,
                                long handoverRollbacks, long staleHeartbeats, long strayFences, long stuckReleases,
                                long persistFailures, Map<String, Long> refusedHeartbeats, double crossNodeLoadShare,
                                double crossZoneLoadShare) {
}
