package io.tsfleet.coordinator.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.view.CoordinatorStatus;
import io.tsfleet.coordinator.service.CoordinatorService;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The coordinator's metrics (no {@code cpu} label anywhere). Gauges come from the status the service takes after
 * every operation; counters from the service's {@link FleetCounter} counts, cumulative across leadership terms, each
 * named once in {@link #meterOf}.
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
        gauge(registry, "tsfleet.coordinator.slots", "The (node, CPU) slots of the fleet: the CPUs of its nodes", CoordinatorStatus::slots);
        gauge(registry, "tsfleet.coordinator.cross.node.load.ratio", "Share of the load whose owner runs on another node than the slot",
                CoordinatorStatus::crossNodeLoadShare);
        gauge(registry, "tsfleet.coordinator.cross.zone.load.ratio", "Share of the load whose owner runs in another zone than the slot",
                CoordinatorStatus::crossZoneLoadShare);
        for (String state : List.of("active", "draining", "presumed")) {
            Gauge.builder("tsfleet.coordinator.replicas", this, m -> m.value(s -> s.replicasByState().getOrDefault(state, 0)))
                    .description("Live replicas by state (presumed: recovered after a restart, not yet heard from)")
                    .tag("state", state).register(registry);
        }
        for (FleetCounter c : FleetCounter.values()) {
            CounterMeter meter = meterOf(c);
            FunctionCounter.Builder<CoordinatorMetrics> b = FunctionCounter.builder(meter.name(), this, m -> m.count(c))
                    .description(meter.description());
            if (meter.tagKey() != null) b.tag(meter.tagKey(), meter.tagValue());
            b.register(registry);
        }
        gauge(registry, "tsfleet.coordinator.handovers.in.flight", "CPUs in make-before-break handover (idle CPUs waiting for traffic excluded)", CoordinatorStatus::handoversInFlight);
        gauge(registry, "tsfleet.coordinator.handovers.waiting.for.traffic", "Handovers whose new owner is registered on an idle CPU", CoordinatorStatus::handoversWaitingForTraffic);
        gauge(registry, "tsfleet.coordinator.pending.moves", "Planned moves not yet started", CoordinatorStatus::pendingMoves);
        gauge(registry, "tsfleet.coordinator.imbalance.ratio", "Most loaded replica over the mean", CoordinatorStatus::imbalanceRatio);
        gauge(registry, "tsfleet.coordinator.imbalance.floor.ratio", "The physical floor max(1, max CPU load x replicas / total load)", CoordinatorStatus::imbalanceFloorRatio);
        gauge(registry, "tsfleet.coordinator.desired.replicas", "Replicas the load needs (fast up, slow down)", CoordinatorStatus::desiredReplicas);
        gauge(registry, "tsfleet.coordinator.hot.cpus", "CPUs whose load alone exceeds one replica's headroom (alert)", CoordinatorStatus::hotCpus);
        Gauge.builder("tsfleet.coordinator.nodes", service, CoordinatorService::liveNodes)
                .description("Nodes whose agents hold a lease (on the leader; 0 on a standby)").register(registry);
        Gauge.builder("tsfleet.coordinator.leader", service, s -> s.isLeader() ? 1 : 0)
                .description("1 when this instance leads").register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<CoordinatorStatus> f) {
        Gauge.builder(name, this, m -> m.value(f)).description(description).register(registry);
    }

    private double value(ToDoubleFunction<CoordinatorStatus> f) {
        CoordinatorStatus s = service.status();
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    private double count(FleetCounter c) {
        return service.counters().get(c);
    }

    /** A counter's Prometheus name (without {@code _total}), help text and tag. */
    private record CounterMeter(String name, String description, String tagKey, String tagValue) {
        CounterMeter(String name, String description) {
            this(name, description, null, null);
        }
    }

    private static final String REBALANCES = "Plans made, by trigger";
    private static final String NODE_REFUSED = "Node announcements and withdrawals refused (400 invalid, 409 node-limit); nothing of them was applied";
    private static final String REFUSED = "Heartbeats refused (409 or 400), by reason; nothing of them was applied";

    /** How each counter is exported: the one place that names them (a new counter does not compile until it is named here). */
    private static CounterMeter meterOf(FleetCounter c) {
        return switch (c) {
            case REBALANCES_MEMBERSHIP, REBALANCES_OVERFLOW, REBALANCES_CAPACITY, REBALANCES_IMBALANCE, REBALANCES_ADMIN ->
                    new CounterMeter("tsfleet.coordinator.rebalances", REBALANCES, "trigger", c.trigger().label());
            case CPUS_MOVED -> new CounterMeter("tsfleet.coordinator.cpus.moved", "CPUs that changed owner at a sequence fence");
            case HANDOVERS_COMPLETED -> new CounterMeter("tsfleet.coordinator.handovers.completed", "Handovers completed");
            case HANDOVER_ROLLBACKS -> new CounterMeter("tsfleet.coordinator.handover.rollbacks", "Handovers rolled back");
            case STALE_HEARTBEATS -> new CounterMeter("tsfleet.coordinator.stale.heartbeats", "Heartbeats refused as stale");
            case PERSIST_FAILURES -> new CounterMeter("tsfleet.coordinator.persist.failures", "Assignment snapshots that could not be persisted");
            case HEARTBEATS_REFUSED_INVALID, HEARTBEATS_REFUSED_INCARNATION_LIVE, HEARTBEATS_REFUSED_MEMBER_LIMIT,
                 HEARTBEATS_REFUSED_UNISSUED_GENERATION, HEARTBEATS_REFUSED_REPLACED_INCARNATION ->
                    new CounterMeter("tsfleet.coordinator.heartbeats.refused", REFUSED, "reason", c.refusal().label());
            case REBALANCES_SKIPPED -> new CounterMeter("tsfleet.coordinator.rebalances.skipped",
                    "Load-driven rebalances not made: the plan would not have helped enough (scaling is the remedy)");
            case HANDOVERS_STARTED -> new CounterMeter("tsfleet.coordinator.handovers.started", "Handovers started (make before break)");
            case OWNERSHIP_TAKEN -> new CounterMeter("tsfleet.coordinator.ownership.taken",
                    "CPUs a replica took without a handover (no owner, or the owner was gone)");
            case STRAY_FENCES -> new CounterMeter("tsfleet.coordinator.stray.fences",
                    "Replicas registered on a CPU they do not own, told to release it after a fence");
            case STUCK_RELEASES -> new CounterMeter("tsfleet.coordinator.stuck.releases", "Releases not done in time after their fence");
            case NODES_JOINED -> new CounterMeter("tsfleet.coordinator.nodes.joined", "Nodes that joined (an announcement of a node not registered)");
            case NODE_REBOOTS -> new CounterMeter("tsfleet.coordinator.node.reboots", "Registered nodes that announced another boot id (their sequences start anew; not a loss)");
            case NODE_EXPIRIES -> new CounterMeter("tsfleet.coordinator.node.expiries", "Nodes dropped because they did not announce themselves for a node lease");
            case NODES_LEFT -> new CounterMeter("tsfleet.coordinator.nodes.left", "Nodes withdrawn by their agent (shutdown)");
            case NODE_ANNOUNCEMENTS_REFUSED_INVALID -> new CounterMeter("tsfleet.coordinator.node.announcements.refused", NODE_REFUSED, "reason", "invalid");
            case NODE_ANNOUNCEMENTS_REFUSED_NODE_LIMIT -> new CounterMeter("tsfleet.coordinator.node.announcements.refused", NODE_REFUSED, "reason", "node-limit");
        };
    }
}
