package io.tsfleet.coordinator.domain.view;

import java.util.List;
import java.util.Map;

/**
 * A plan, applied or not.
 *
 * @param applied            false for a dry run (nothing changed)
 * @param generation         the generation after the call
 * @param moves              the CPUs that change owner between live replicas, grouped
 * @param imbalanceBefore    {@code max / mean} replica load now
 * @param imbalanceAfter     projected for the plan
 * @param floor              the physical floor of the imbalance
 * @param targets            the planned masks
 */
public record RebalanceResult(boolean applied, String trigger, String assignor, String mode, long generation,
                              List<MoveGroup> moves, int movedCpus, double imbalanceBefore, double imbalanceAfter,
                              double floor, String hotCpus, List<String> overCapacity, Map<String, String> targets) {
}
