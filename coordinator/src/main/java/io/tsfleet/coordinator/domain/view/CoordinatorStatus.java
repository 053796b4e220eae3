package io.tsfleet.coordinator.domain.view;

import java.util.Map;

/**
 * The numbers behind the coordinator's metrics, taken after every operation; {@code GET /api/v1/status} answers it.
 * The counters are those of this coordinator's term; {@code refusedHeartbeats} holds the reasons refused at least
 * once (labels of {@code HeartbeatRefusal}), {@code rebalancesByTrigger} every trigger.
 */
public record CoordinatorStatus(long generation, int uncoveredCpus, Map<String, Integer> replicasByState,
                                int handoversInFlight, int handoversWaitingForTraffic, int pendingMoves,
                                double imbalanceRatio, double imbalanceFloorRatio, int desiredReplicas, int hotCpus,
                                Map<String, Long> rebalancesByTrigger, long cpusMoved, long handoversCompleted,
                                long handoverRollbacks, long staleHeartbeats, long strayFences, long stuckReleases,
                                long persistFailures, Map<String, Long> refusedHeartbeats) {
}
