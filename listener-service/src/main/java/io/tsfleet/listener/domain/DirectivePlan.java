package io.tsfleet.listener.domain;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.Map;
import java.util.Set;

/**
 * What a coordinator directive asks of the replica, computed by {@link DirectiveReconciler}. A refused directive
 * changes nothing.
 *
 * @param accepted        false for a stale or invalid directive
 * @param refusal         why it was refused (null when accepted)
 * @param generation      the directive's generation
 * @param target          the new target
 * @param acquire         CPUs to register (in the target, not held)
 * @param leave           CPUs to start leaving (held and owned, no longer in the target)
 * @param rejoin          CPUs back in the target while leaving or releasing
 * @param fences          fences to apply (CPUs held and not in the target)
 * @param ignoredFences   fences for CPUs that are in the target (contradictory), not applied
 * @param acknowledged    released CPUs the coordinator no longer lists in its fences: stop reporting them
 */
public record DirectivePlan(boolean accepted, String refusal, long generation, CpuSet target, CpuSet acquire, CpuSet leave,
                            CpuSet rejoin, Map<Integer, Integer> fences, Set<Integer> ignoredFences, Set<Integer> acknowledged) {

    static DirectivePlan refused(String why, long generation) {
        return new DirectivePlan(false, why, generation, CpuSet.EMPTY, CpuSet.EMPTY, CpuSet.EMPTY, CpuSet.EMPTY, Map.of(), Set.of(), Set.of());
    }
}
