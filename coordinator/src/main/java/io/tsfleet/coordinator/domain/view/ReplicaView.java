package io.tsfleet.coordinator.domain.view;

import java.time.Instant;

/**
 * One live replica.
 *
 * @param state         {@code ACTIVE}, {@code DRAINING}; {@code presumed} is true for a replica recovered from the
 *                      persisted assignment that has not yet sent a heartbeat to this coordinator
 * @param ownedCpus     what the replica reported being registered on
 * @param directiveCpus what its directive currently asks it to own
 * @param targetCpus    what the plan eventually gives it
 * @param load          sum of the loads of the CPUs it owns (exits/s)
 * @param node          the node the replica runs on, as its heartbeats say (null when unknown)
 * @param zone          the zone it runs in, as its heartbeats say (null when unknown)
 */
public record ReplicaView(String id, String incarnation, String state, boolean presumed, Instant joinedAt,
                          Instant lastHeartbeat, long appliedGeneration, String ownedCpus, String directiveCpus,
                          String targetCpus, String pinnedCpus, String releasingCpus, double capacityPerSecond,
                          double planningCapacityPerSecond, double load, long recordsTotal, long lostTotal,
                          long enobufsTotal, long duplicatesTotal, String node, String zone) {
}
