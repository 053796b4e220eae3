package io.tsfleet.listener.config;

import io.tsfleet.listener.engine.NodeSlots;
import io.tsfleet.listener.engine.ReplicaEngine;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code replica} health, part of the readiness group: UP when the replica has a mask and every CPU of it, on every
 * node, is registered on a live broker connection and receiving; OUT_OF_SERVICE before that, while a CPU reconnects,
 * while a node is refused (no broker known for it: the detail says why), and while draining.
 */
public class ReplicaHealthIndicator implements HealthIndicator {
    private final ReplicaEngine engine;

    public ReplicaHealthIndicator(ReplicaEngine engine) {
        this.engine = engine;
    }

    @Override
    public Health health() {
        Health.Builder b = engine.ready() ? Health.up() : Health.outOfService();
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (NodeSlots ns : engine.nodes()) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("target", ns.target().toCpulist());
            n.put("registered", ns.owned().toCpulist());
            n.put("broker", ns.broker() == null ? "(none)" : ns.broker());
            String refused = ns.refusal() != null ? ns.refusal() : ns.brokerRefusal();
            if (refused != null) n.put("refused", refused);
            nodes.put(ns.node(), n);
        }
        return b.withDetail("state", engine.state().name())
                .withDetail("generation", engine.generation())
                .withDetail("node", engine.ownNode())
                .withDetail("target", engine.targetKnown() ? engine.targetSize() + " slots" : "(none yet)")
                .withDetail("registered", engine.ownedDescription())
                .withDetail("nodes", nodes)
                .build();
    }
}
