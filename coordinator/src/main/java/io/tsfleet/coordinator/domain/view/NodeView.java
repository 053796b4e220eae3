package io.tsfleet.coordinator.domain.view;

import java.time.Instant;

/**
 * One node whose agent holds a lease ({@code GET /api/v1/nodes}).
 *
 * @param name            the node's name
 * @param bootId          the boot of its kernel
 * @param possibleCpus    its possible CPUs (cpulist)
 * @param broker          where replicas reach its broker ({@code host:port})
 * @param zone            its zone (null when unknown)
 * @param delayAccounting {@code on}, {@code off} or {@code unknown}
 * @param joinedAt        when this boot first announced itself to this coordinator
 * @param lastSeen        its last announcement
 * @param leaseExpiresAt  when it is dropped unless it announces again
 * @param slots           whether its CPUs are slots of the fleet (a cluster fleet; a static fleet lists nodes without)
 * @param uncoveredCpus   its CPUs no live replica reports being registered on (null when its CPUs are not slots)
 */
public record NodeView(String name, String bootId, String possibleCpus, String broker, String zone, String delayAccounting,
                       Instant joinedAt, Instant lastSeen, Instant leaseExpiresAt,
                       boolean slots, String uncoveredCpus) {
}
