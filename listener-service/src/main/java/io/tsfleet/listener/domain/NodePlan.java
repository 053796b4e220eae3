package io.tsfleet.listener.domain;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.Map;
import java.util.Set;

/**
 * One node's part of a {@link DirectivePlan}: what the replica does with the CPUs of {@link #node}. Every CPU set here
 * is of that node's CPUs; the slots of different nodes never mix.
 *
 * @param node          the node's name
 * @param bootId        the boot of the node the coordinator planned for (null: not known, as in a static fleet)
 * @param broker        the node's broker {@code host:port} as the coordinator names it; null = the replica's configured broker
 * @param target        the new target on the node
 * @param acquire       CPUs to register (in the target, not held)
 * @param leave         CPUs to start leaving (held and owned, no longer in the target)
 * @param rejoin        CPUs back in the target while leaving or releasing
 * @param fences        fences to apply (CPUs held and not in the target)
 * @param ignoredFences fences for CPUs that are in the target (contradictory), not applied
 * @param acknowledged  released CPUs the coordinator no longer lists in its fences: stop reporting them
 */
public record NodePlan(String node, String bootId, String broker, CpuSet target, CpuSet acquire, CpuSet leave, CpuSet rejoin,
                       Map<Integer, Integer> fences, Set<Integer> ignoredFences, Set<Integer> acknowledged) {
}
