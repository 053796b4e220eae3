package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.Objects;

/**
 * A node announcement that passed validation (see {@code NodeAnnouncementParser}): immutable, parsed outside the
 * coordinator's lock.
 *
 * @param name            the node's name (a DNS subdomain)
 * @param bootId          the boot id, canonical lower-case UUID
 * @param possibleCpus    the node's possible CPUs (not empty)
 * @param broker          the advertised broker, {@code host:port} in canonical form
 * @param delayAccounting {@code on}, {@code off} or {@code unknown}
 * @param zone            the node's zone, or null when unknown
 */
public record AnnouncedNode(String name, String bootId, CpuSet possibleCpus, String broker, String delayAccounting, String zone) {
    public AnnouncedNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bootId, "bootId");
        Objects.requireNonNull(possibleCpus, "possibleCpus");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(delayAccounting, "delayAccounting");
    }
}
