package io.tsfleet.coordinator.domain.view;

import java.util.Map;

/** The numbers behind the coordinator's metrics, taken after every operation. */
public record CoordinatorStatus(long generation, int uncoveredCpus, Map<String, Integer> replicasByState,
                                int handoversInFlight, int handoversWaitingForTraffic, int pendingMoves,
                                double imbalanceRatio, double imbalanceFloorRatio, int desiredReplicas, int hotCpus,
                                Map<String, Long> rebalancesByTrigger, long cpusMoved, long handoversCompleted,
                                long handoverRollbacks, long staleHeartbeats, long strayFences, long stuckReleases,
                                long persistFailures, Map<String, Long> refusedHeartbeats) {
    /** Reasons for which the domain refuses a heartbeat (labels of {@code tsfleet_coordinator_heartbeats_refused_total}). */
    public static final String REFUSED_INCARNATION_LIVE = "incarnation-live";
    public static final String REFUSED_MEMBER_LIMIT = "member-limit";
    public static final String REFUSED_UNISSUED_GENERATION = "unissued-generation";
    public static final String REFUSED_REPLACED_INCARNATION = "replaced-incarnation";
}
