package io.tsfleet.coordinator.domain.view;

import java.util.Map;

/** The numbers behind the coordinator's metrics, taken after every operation. */
public record CoordinatorStatus(long generation, int uncoveredCpus, Map<String, Integer> replicasByState,
                                int handoversInFlight, int handoversWaitingForTraffic, int pendingMoves,
                                double imbalanceRatio, double imbalanceFloorRatio, int desiredReplicas, int hotCpus,
                                Map<String, Long> rebalancesByTrigger, long cpusMoved, long handoversCompleted,
                                long handoverRollbacks, long staleHeartbeats, long strayFences, long stuckReleases,
                                long persistFailures) {
}
