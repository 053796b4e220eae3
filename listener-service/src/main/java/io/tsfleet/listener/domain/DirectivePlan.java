package io.tsfleet.listener.domain;

import java.util.Map;
import java.util.Set;

/**
 * What a coordinator directive asks of the replica, computed by {@link DirectiveReconciler}: one {@link NodePlan} per
 * node the directive names, and the nodes the replica holds state for that the directive no longer names (gone). A
 * refused directive changes nothing.
 *
 * @param accepted   false for a stale or invalid directive
 * @param refusal    why it was refused (null when accepted)
 * @param generation the directive's generation
 * @param nodes      the plan of each node the directive names, by node name (ascending)
 * @param gone       nodes the replica holds state for that the directive does not name: close their connections now
 */
public record DirectivePlan(boolean accepted, String refusal, long generation, Map<String, NodePlan> nodes, Set<String> gone) {

    /**
     * Whether applying the plan starts or advances a handover step the replica takes part in: a CPU leaves its target,
     * is to be acquired, rejoins, or gets its fence (the coordinator waits for the replica's next heartbeat to go on).
     */
    public boolean startsHandoverStep() {
        if (!accepted) return false;
        for (NodePlan np : nodes.values()) {
            if (!np.acquire().isEmpty() || !np.leave().isEmpty() || !np.rejoin().isEmpty() || !np.fences().isEmpty()) return true;
        }
        return false;
    }

    static DirectivePlan refused(String why, long generation) {
        return new DirectivePlan(false, why, generation, Map.of(), Set.of());
    }
}
