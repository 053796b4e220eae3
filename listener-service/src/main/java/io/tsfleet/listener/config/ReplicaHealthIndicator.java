package io.tsfleet.listener.config;

import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.protocol.cpu.CpuSet;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code replica} health, part of the readiness group: UP when the replica has a mask and every CPU of it is
 * registered on a live broker connection and receiving; OUT_OF_SERVICE before that, while a CPU reconnects, and
 * while draining.
 */
public class ReplicaHealthIndicator implements HealthIndicator {
    private final ReplicaEngine engine;

    public ReplicaHealthIndicator(ReplicaEngine engine) {
        this.engine = engine;
    }

    @Override
    public Health health() {
        CpuSet target = engine.target();
        Health.Builder b = engine.ready() ? Health.up() : Health.outOfService();
        return b.withDetail("state", engine.state().name())
                .withDetail("generation", engine.generation())
                .withDetail("target", target == null ? "(none yet)" : target.toCpulist())
                .withDetail("registered", engine.owned().toCpulist())
                .build();
    }
}
