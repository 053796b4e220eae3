package io.tsfleet.coordinator.domain.view;

import java.util.List;
import java.util.Map;

/**
 * The whole assignment.
 *
 * @param owners        committed owner masks (cpulists) by replica
 * @param targets       planned target masks by replica
 * @param uncoveredCpus possible CPUs no live replica reports being registered on
 * @param pendingMoves  CPUs whose target differs from their owner and whose handover has not started
 */
public record AssignmentView(long generation, String possibleCpus, String uncoveredCpus, Map<String, String> owners,
                             Map<String, String> targets, Map<String, String> pins, List<HandoverView> handovers,
                             List<ReleaseView> releases, int pendingMoves, String assignor) {
}
