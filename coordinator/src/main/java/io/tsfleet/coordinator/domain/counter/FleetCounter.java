package io.tsfleet.coordinator.domain.counter;

import io.tsfleet.coordinator.domain.fleet.HeartbeatRefusal;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;

/**
 * Everything the coordinator counts, one constant per number. The domain only increments them
 * ({@link FleetCounts}); {@code metrics.CoordinatorMetrics} decides once which of them are exported and under which
 * metric name and tag, and {@code GET /status} shows them (see {@code CoordinatorStatus}).
 */
public enum FleetCounter {
    /** Plans made, by trigger. */
    REBALANCES_MEMBERSHIP(RebalanceTrigger.MEMBERSHIP, null),
    REBALANCES_OVERFLOW(RebalanceTrigger.OVERFLOW, null),
    REBALANCES_CAPACITY(RebalanceTrigger.CAPACITY, null),
    REBALANCES_IMBALANCE(RebalanceTrigger.IMBALANCE, null),
    REBALANCES_ADMIN(RebalanceTrigger.ADMIN, null),
    /** Load-driven rebalances that were asked for and not made (the plan would not help). */
    REBALANCES_SKIPPED(null, null),
    /** CPUs that changed owner at a sequence fence. */
    CPUS_MOVED(null, null),
    HANDOVERS_STARTED(null, null),
    HANDOVERS_COMPLETED(null, null),
    HANDOVER_ROLLBACKS(null, null),
    /** CPUs a replica took without a handover (no owner, or the owner was gone). */
    OWNERSHIP_TAKEN(null, null),
    /** Replicas registered on a CPU they do not own, told to release it after a fence. */
    STRAY_FENCES(null, null),
    /** Releases not done in time after their fence. */
    STUCK_RELEASES(null, null),
    /** Heartbeats older than what their replica applied, and late heartbeats of replaced processes. */
    STALE_HEARTBEATS(null, null),
    /** Assignment snapshots the store did not take. */
    PERSIST_FAILURES(null, null),
    /** Heartbeats refused, by reason. */
    HEARTBEATS_REFUSED_INVALID(null, HeartbeatRefusal.INVALID),
    HEARTBEATS_REFUSED_INCARNATION_LIVE(null, HeartbeatRefusal.INCARNATION_LIVE),
    HEARTBEATS_REFUSED_MEMBER_LIMIT(null, HeartbeatRefusal.MEMBER_LIMIT),
    HEARTBEATS_REFUSED_UNISSUED_GENERATION(null, HeartbeatRefusal.UNISSUED_GENERATION),
    HEARTBEATS_REFUSED_REPLACED_INCARNATION(null, HeartbeatRefusal.REPLACED_INCARNATION),
    /** Nodes that joined (first announcement of a node the coordinator did not hold). */
    NODES_JOINED(null, null),
    /** Known nodes that announced another boot id. */
    NODE_REBOOTS(null, null),
    /** Nodes dropped because their lease expired. */
    NODE_EXPIRIES(null, null),
    /** Nodes withdrawn by their agent. */
    NODES_LEFT(null, null),
    /** Node announcements refused as invalid (400), before they reached a coordinator. */
    NODE_ANNOUNCEMENTS_REFUSED_INVALID(null, null),
    /** Announcements of one more node beyond the node limit (409). */
    NODE_ANNOUNCEMENTS_REFUSED_NODE_LIMIT(null, null);

    private final RebalanceTrigger trigger;
    private final HeartbeatRefusal refusal;

    FleetCounter(RebalanceTrigger trigger, HeartbeatRefusal refusal) {
        this.trigger = trigger;
        this.refusal = refusal;
    }

    /** The trigger of a {@code REBALANCES_*} counter (not {@link #REBALANCES_SKIPPED}), else null. */
    public RebalanceTrigger trigger() {
        return trigger;
    }

    /** The reason of a {@code HEARTBEATS_REFUSED_*} counter, else null. */
    public HeartbeatRefusal refusal() {
        return refusal;
    }

    /** The counter of plans made for {@code trigger}. */
    public static FleetCounter rebalances(RebalanceTrigger trigger) {
        return switch (trigger) {
            case MEMBERSHIP -> REBALANCES_MEMBERSHIP;
            case OVERFLOW -> REBALANCES_OVERFLOW;
            case CAPACITY -> REBALANCES_CAPACITY;
            case IMBALANCE -> REBALANCES_IMBALANCE;
            case ADMIN -> REBALANCES_ADMIN;
        };
    }

    /** The counter of heartbeats refused for {@code reason}. */
    public static FleetCounter refused(HeartbeatRefusal reason) {
        return switch (reason) {
            case INVALID -> HEARTBEATS_REFUSED_INVALID;
            case INCARNATION_LIVE -> HEARTBEATS_REFUSED_INCARNATION_LIVE;
            case MEMBER_LIMIT -> HEARTBEATS_REFUSED_MEMBER_LIMIT;
            case UNISSUED_GENERATION -> HEARTBEATS_REFUSED_UNISSUED_GENERATION;
            case REPLACED_INCARNATION -> HEARTBEATS_REFUSED_REPLACED_INCARNATION;
        };
    }
}
