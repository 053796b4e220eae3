package io.tsfleet.protocol.fleet;

import java.util.Map;

/**
 * One node's part of a {@link ReplicaDirective}: the CPUs of {@link #node} the replica should own there, and the CPUs
 * of that node it should release, each with its fence (see {@link ReplicaDirective} for make before break).
 *
 * @param node          the node's name (a static fleet has one node, named by {@code tsfleet.coordinator.static-node})
 * @param bootId        the boot of the node the plan is for (null when the coordinator does not know it: a static fleet)
 * @param broker        {@code host:port} of the node's broker as the node agent advertised it; null = the replica's
 *                      own {@code tsfleet.listener.broker}
 * @param targetCpus    the CPUs of the node the replica should own (cpulist)
 * @param releaseFences CPUs of the node to release, each with the fence sequence number from the new owner
 */
public record NodeTarget(String node, String bootId, String broker, String targetCpus, Map<Integer, Long> releaseFences) {
}
