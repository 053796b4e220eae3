package io.tsfleet.coordinator.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.coordinator.domain.view.CoordinatorStatus;
import io.tsfleet.coordinator.service.CoordinatorService;
import io.tsfleet.coordinator.service.CounterTotals;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The coordinator's metrics (Prometheus names in the comments; no {@code cpu} label anywhere). Values come from
 * the status the service takes after every operation; counters are cumulative across leadership terms.
 */
@Component
public class CoordinatorMetrics implements MeterBinder {
    private final CoordinatorService service;

    public CoordinatorMetrics(CoordinatorService service) {
        this.service = service;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "tsfleet.coordinator.uncovered.cpus", "Possible CPUs no live replica is registered on", CoordinatorStatus::uncoveredCpus);
        gauge(registry, "tsfleet.coordinator.generation", "Current plan generation", CoordinatorStatus::generation);
        for (String state : List.of("active", "draining", "presumed")) {
            Gauge.builder("tsfleet.coordinator.replicas", this, m -> m.value(s -> s.replicasByState().getOrDefault(state, 0)))
                    .description("Live replicas by state (presumed: recovered after a restart, not yet heard from)")
                    .tag("state", state).register(registry);
        }
        for (RebalanceTrigger t : RebalanceTrigger.values()) {
            FunctionCounter.builder("tsfleet.coordinator.rebalances", this,
                            m -> m.count(c -> c.rebalancesByTrigger().getOrDefault(t.label(), 0L)))
                    .description("Plans made, by trigger").tag("trigger", t.label()).register(registry);
        }
        counter(registry, "tsfleet.coordinator.cpus.moved", "CPUs that changed owner at a sequence fence", CounterTotals::cpusMoved);
        counter(registry, "tsfleet.coordinator.handovers.completed", "Handovers completed", CounterTotals::handoversCompleted);
        counter(registry, "tsfleet.coordinator.handover.rollbacks", "Handovers rolled back", CounterTotals::handoverRollbacks);
        counter(registry, "tsfleet.coordinator.stale.heartbeats", "Heartbeats refused as stale", CounterTotals::staleHeartbeats);
        counter(registry, "tsfleet.coordinator.persist.failures", "Assignment snapshots that could not be persisted", CounterTotals::persistFailures);
        for (String reason : List.of(CoordinatorStatus.REFUSED_INCARNATION_LIVE, CoordinatorStatus.REFUSED_MEMBER_LIMIT,
                CoordinatorStatus.REFUSED_UNISSUED_GENERATION, CoordinatorStatus.REFUSED_REPLACED_INCARNATION)) {
            FunctionCounter.builder("tsfleet.coordinator.heartbeats.refused", this,
                            m -> m.count(c -> c.refusedHeartbeats().getOrDefault(reason, 0L)))
                    .description("Heartbeats refused (409 or 400), by reason; nothing of them was applied").tag("reason", reason).register(registry);
        }
        FunctionCounter.builder("tsfleet.coordinator.heartbeats.refused", service, s -> (double) s.invalidHeartbeats())
                .description("Heartbeats refused (409 or 400), by reason; nothing of them was applied").tag("reason", "invalid").register(registry);
        gauge(registry, "tsfleet.coordinator.handovers.in.flight", "CPUs in make-before-break handover (idle CPUs waiting for traffic excluded)", CoordinatorStatus::handoversInFlight);
        gauge(registry, "tsfleet.coordinator.handovers.waiting.for.traffic", "Handovers whose new owner is registered on an idle CPU", CoordinatorStatus::handoversWaitingForTraffic);
        gauge(registry, "tsfleet.coordinator.pending.moves", "Planned moves not yet started", CoordinatorStatus::pendingMoves);
        gauge(registry, "tsfleet.coordinator.imbalance.ratio", "Most loaded replica over the mean", CoordinatorStatus::imbalanceRatio);
        gauge(registry, "tsfleet.coordinator.imbalance.floor.ratio", "The physical floor max(1, max CPU load x replicas / total load)", CoordinatorStatus::imbalanceFloorRatio);
        gauge(registry, "tsfleet.coordinator.desired.replicas", "Replicas the load needs (fast up, slow down)", CoordinatorStatus::desiredReplicas);
        gauge(registry, "tsfleet.coordinator.hot.cpus", "CPUs whose load alone exceeds one replica's headroom (alert)", CoordinatorStatus::hotCpus);
        Gauge.builder("tsfleet.coordinator.leader", service, s -> s.isLeader() ? 1 : 0)
                .description("1 when this instance leads").register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<CoordinatorStatus> f) {
        Gauge.builder(name, this, m -> m.value(f)).description(description).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToLongFunction<CounterTotals> f) {
        FunctionCounter.builder(name, this, m -> m.count(f)).description(description).register(registry);
    }

    private double value(ToDoubleFunction<CoordinatorStatus> f) {
        CoordinatorStatus s = service.status();
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    private double count(ToLongFunction<CounterTotals> f) {
        return f.applyAsLong(service.counters());
    }
}
