package io.tsfleet.protocol.fleet;

import java.util.List;
import java.util.Map;

/**
 * One node's part of a {@link ReplicaHeartbeat}: what the replica holds on that node. CPU sets are cpulists of the
 * node's CPUs, and per-CPU numbers are arrays in the ascending CPU order of {@link #ownedCpus}.
 *
 * @param node       the node's name, as the directive named it
 * @param bootId     the boot id the replica's connections to the node's broker report (null before the first connection)
 * @param ownedCpus  CPUs of the node the replica is registered on and receiving (including CPUs it is still releasing)
 * @param cpuRates   true exit rate per owned CPU in exits/s, from per-CPU sequence deltas (lost records included)
 * @param cpuLost    records lost per owned CPU since the previous heartbeat (sequence gaps)
 * @param firstSeqs  for CPUs being acquired: the first sequence number received on that CPU (the fence)
 * @param released   CPUs of the node the replica has released after their fence since the previous heartbeat
 */
public record NodeReport(String node, String bootId, String ownedCpus, List<Double> cpuRates, List<Long> cpuLost,
                         Map<Integer, Long> firstSeqs, String released) {
}
