package io.tsfleet.coordinator.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.coordinator.kubernetes.LeaderPodLabel;

import java.util.Optional;

/**
 * The leader pod label's meters: {@code tsfleet_coordinator_leader_label_synced},
 * {@code tsfleet_coordinator_leader_label_failures_total}, {@code tsfleet_coordinator_leader_label_stale_cleared_total}.
 * Without {@code tsfleet.coordinator.kubernetes.leader-label.enabled} there is no label to keep: synced 1, counters 0
 * (the same names everywhere, so rules and dashboards evaluate on every fleet).
 */
public final class LeaderLabelMetrics implements MeterBinder {
    private final Optional<LeaderPodLabel> label;

    public LeaderLabelMetrics(Optional<LeaderPodLabel> label) {
        this.label = label;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("tsfleet.coordinator.leader.label.synced", this, m -> m.label.map(l -> l.inSync() ? 1.0 : 0.0).orElse(1.0))
                .description("1 when this coordinator's pod carries its role label (leader or standby; always 1 without leader "
                        + "labels), 0 while a patch is failing")
                .register(registry);
        FunctionCounter.builder("tsfleet.coordinator.leader.label.failures", this, m -> m.label.map(LeaderPodLabel::failures).orElse(0L))
                .description("Failed patches of the role label (or lists of the other coordinator pods); retried every retry period")
                .register(registry);
        FunctionCounter.builder("tsfleet.coordinator.leader.label.stale.cleared", this,
                        m -> m.label.map(LeaderPodLabel::staleLabelsCleared).orElse(0L))
                .description("Leader labels of other coordinator pods (a leader that died without removing it) set back to standby")
                .register(registry);
    }
}
