package io.tsfleet.coordinator.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.coordinator.kubernetes.LeaderPodLabel;

/**
 * The leader pod label's meters (only with {@code tsfleet.coordinator.kubernetes.leader-label.enabled=true}):
 * {@code tsfleet_coordinator_leader_label_synced}, {@code tsfleet_coordinator_leader_label_failures_total},
 * {@code tsfleet_coordinator_leader_label_stale_cleared_total}.
 */
public final class LeaderLabelMetrics implements MeterBinder {
    private final LeaderPodLabel label;

    public LeaderLabelMetrics(LeaderPodLabel label) {
        this.label = label;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("tsfleet.coordinator.leader.label.synced", label, l -> l.inSync() ? 1 : 0)
                .description("1 when this coordinator's pod carries its role label (leader or standby), 0 while a patch is failing")
                .register(registry);
        FunctionCounter.builder("tsfleet.coordinator.leader.label.failures", label, LeaderPodLabel::failures)
                .description("Failed patches of the role label (or lists of the other coordinator pods); retried every retry period")
                .register(registry);
        FunctionCounter.builder("tsfleet.coordinator.leader.label.stale.cleared", label, LeaderPodLabel::staleLabelsCleared)
                .description("Leader labels of other coordinator pods (a leader that died without removing it) set back to standby")
                .register(registry);
    }
}
