package io.tsfleet.emulator.node.config;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.emulator.app.MetricNames;
import io.tsfleet.emulator.node.NodeAgentStats;

/** The node agent's meters (names in {@link MetricNames}). */
final class NodeAgentMeters implements MeterBinder {
    private final NodeAgentStats stats;

    NodeAgentMeters(NodeAgentStats stats) {
        this.stats = stats;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder(MetricNames.NODE_ANNOUNCEMENTS, stats, NodeAgentStats::announcements)
                .description("Node announcements the coordinator accepted (each renews the node's lease)").register(registry);
        FunctionCounter.builder(MetricNames.NODE_ANNOUNCE_FAILURES, stats, NodeAgentStats::failures)
                .description("Node announcements and withdrawals that failed (coordinator unreachable, timeout, refusal); retried with backoff")
                .register(registry);
        Gauge.builder(MetricNames.NODE_REGISTERED, stats, s -> s.registered() ? 1 : 0)
                .description("1 while the lease of the last accepted announcement holds: the coordinator knows this node").register(registry);
    }
}
