package io.tsfleet.coordinator.service;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Whether this coordinator leads, as a detail of {@code /actuator/health}. It is UP on a standby too and is not in
 * the readiness group: readiness is about health, so a healthy standby is Ready (a rollout with
 * {@code maxUnavailable: 0} completes). On Kubernetes the Service reaches the leader only through the role label the
 * leader puts on its own pod; a standby that still gets a request answers 503 "Not the leader" with Retry-After.
 */
@Component
public class LeadershipHealthIndicator implements HealthIndicator {
    private final CoordinatorService service;

    public LeadershipHealthIndicator(CoordinatorService service) {
        this.service = service;
    }

    @Override
    public Health health() {
        boolean leader = service.isLeader();
        return Health.up().withDetail("leader", leader).withDetail("role", leader ? "leader" : "standby").build();
    }
}
