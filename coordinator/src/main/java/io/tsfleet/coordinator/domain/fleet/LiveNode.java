package io.tsfleet.coordinator.domain.fleet;

import java.time.Instant;

/**
 * A node the coordinator holds a lease for: what it last announced, and when.
 *
 * @param announced      its last announcement
 * @param joinedAt       when this boot of the node first announced itself to this coordinator
 * @param lastSeen       its last announcement's arrival
 * @param leaseExpiresAt when it is dropped unless it announces again
 */
public record LiveNode(AnnouncedNode announced, Instant joinedAt, Instant lastSeen, Instant leaseExpiresAt) {

    public String name() {
        return announced.name();
    }
}
