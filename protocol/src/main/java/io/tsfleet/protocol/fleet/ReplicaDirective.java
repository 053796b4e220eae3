package io.tsfleet.protocol.fleet;

import java.util.Map;

/**
 * The coordinator's answer to a heartbeat: the replica's target under plan {@link #generation}.
 *
 * <p>Make before break with a sequence fence: to move CPU c from A to B, the coordinator first adds c to B's
 * {@link #targetCpus}. B registers c and reports its first sequence number on c in
 * {@link ReplicaHeartbeat#firstSeqs}. The coordinator then gives A {@code releaseFences[c] = fence}: A keeps
 * records of c with seq &lt; fence (serial-number order, u32), discards those from the fence on (B keeps them), and
 * deregisters c as soon as it knows the fence: every record below the fence was sequenced before B registered, so it
 * is already queued on A's connection or was dropped by the broker. A reads that backlog until the broker's answer
 * to the deregistration, which comes after every record the connection will get; then the records below the fence
 * that never came are counted as lost, and A reports c in {@link ReplicaHeartbeat#released}.
 * A CPU that is no longer in {@code targetCpus} but has no fence yet stays registered. A directive whose
 * generation is lower than the replica's is stale and ignored.
 *
 * @param generation     the plan generation
 * @param targetCpus     the CPUs the replica should own (cpulist)
 * @param releaseFences  CPUs to release, each with the fence sequence number from the new owner
 * @param heartbeatMillis how often to heartbeat
 * @param leaseMillis    how long the coordinator keeps a silent replica before reassigning its CPUs
 */
public record ReplicaDirective(long generation, String targetCpus, Map<Integer, Long> releaseFences,
                               long heartbeatMillis, long leaseMillis) {
}
