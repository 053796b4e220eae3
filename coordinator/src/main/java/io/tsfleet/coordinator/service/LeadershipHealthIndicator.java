package io.tsfleet.coordinator.service;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The coordinator's readiness is its leadership (in the readiness health group): a standby is OUT_OF_SERVICE, so a
 * Kubernetes Service sends heartbeats and admin calls to the leader only.
 */
@Component
public class LeadershipHealthIndicator implements HealthIndicator {
    private final CoordinatorService service;

    public LeadershipHealthIndicator(CoordinatorService service) {
        this.service = service;
    }

    @Override
    public Health health() {
        return service.isLeader()
                ? Health.up().withDetail("leader", true).build()
                : Health.outOfService().withDetail("leader", false).build();
    }
}
