package io.tsfleet.helm.support;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The metric names that rules and dashboards may use, in their Prometheus form: the core metrics that every
 * version of the services exports under these fixed names (the broker's, the listener's and the coordinator's
 * headline counters and gauges), and the names the services added later and docs/operations.md lists. Whether the services really export them is checked against running services by
 * {@code FleetUnderPrometheusIT}.
 */
public final class MetricCatalog {
    /** The core metrics: fixed names that rules, dashboards and the HPA rely on. */
    public static final Set<String> CORE = Set.of(
            "tsfleet_broker_exits_total", "tsfleet_broker_events_sent_total", "tsfleet_broker_events_dropped_total",
            "tsfleet_broker_connections", "tsfleet_broker_listeners",
            "tsfleet_listener_records_total", "tsfleet_listener_records_lost_total", "tsfleet_listener_enobufs_total",
            "tsfleet_listener_duplicates_total", "tsfleet_listener_owned_cpus", "tsfleet_listener_load_ratio",
            "tsfleet_coordinator_uncovered_cpus", "tsfleet_coordinator_generation", "tsfleet_coordinator_replicas",
            "tsfleet_coordinator_rebalances_total", "tsfleet_coordinator_cpus_moved_total",
            "tsfleet_coordinator_handovers_in_flight", "tsfleet_coordinator_imbalance_ratio",
            "tsfleet_coordinator_imbalance_floor_ratio", "tsfleet_coordinator_desired_replicas", "tsfleet_coordinator_leader");

    /** Gauges and counters the services added beyond the core metrics. */
    public static final Set<String> ADDED = Set.of(
            "tsfleet_coordinator_hot_cpus", "tsfleet_listener_generation", "tsfleet_listener_handovers_in_flight",
            "tsfleet_coordinator_leader_label_synced", "tsfleet_coordinator_leader_label_failures_total",
            "tsfleet_coordinator_leader_label_stale_cleared_total", "tsfleet_broker_delay_accounting_enabled",
            "tsfleet_coordinator_nodes", "tsfleet_coordinator_node_reboots_total", "tsfleet_coordinator_node_expiries_total",
            "tsfleet_listener_node_owned_cpus", "tsfleet_listener_node_records_total", "tsfleet_listener_node_records_lost_total",
            "tsfleet_listener_node_duplicates_total", "tsfleet_listener_node_enobufs_total",
            "tsfleet_listener_sink_records_total", "tsfleet_listener_sink_errors_total", "tsfleet_listener_sink_dropped_total",
            "tsfleet_listener_sink_filtered_total", "tsfleet_listener_sink_queue_bytes", "tsfleet_listener_sink_lag_seconds",
            "tsfleet_listener_sink_backpressure_seconds_total");

    /** Histograms the services added (exported as _bucket, _sum and _count). */
    public static final Set<String> HISTOGRAMS = Set.of(
            "tsfleet_listener_task_delay_seconds", "tsfleet_listener_handover_duration_seconds", "tsfleet_listener_sink_latency_seconds");

    /**
     * The series of each sink of a replica: a {@code sink} label (the sink's scheme: jsonl, stdout, kafka, otlp), no
     * {@code node}. The rules aggregate them by (namespace, fleet, sink); the dashboards filter them by their sink variable.
     */
    public static final Set<String> SINK_LABELLED = Set.of(
            "tsfleet_listener_sink_records_total", "tsfleet_listener_sink_errors_total", "tsfleet_listener_sink_dropped_total",
            "tsfleet_listener_sink_filtered_total", "tsfleet_listener_sink_queue_bytes", "tsfleet_listener_sink_lag_seconds",
            "tsfleet_listener_sink_backpressure_seconds_total", "tsfleet_listener_sink_latency_seconds");

    /**
     * The series that carry a {@code node} label (one value per node, never per CPU), which the dashboards filter by
     * their node variable: every series of the broker (the emulator's and the kernel backend's registries tag every
     * meter with their node), and the listener's per-node counters and gauge, whose {@code node} is the node whose
     * CPUs the records come from (not the node the replica runs on).
     */
    public static final Set<String> NODE_LABELLED = Set.of(
            "tsfleet_broker_exits_total", "tsfleet_broker_events_sent_total", "tsfleet_broker_events_dropped_total",
            "tsfleet_broker_connections", "tsfleet_broker_listeners", "tsfleet_broker_delay_accounting_enabled",
            "tsfleet_listener_node_records_total", "tsfleet_listener_node_records_lost_total", "tsfleet_listener_node_duplicates_total",
            "tsfleet_listener_node_enobufs_total", "tsfleet_listener_node_owned_cpus");

    private static final List<String> HISTOGRAM_SUFFIXES = List.of("_bucket", "_sum", "_count");

    private MetricCatalog() {
    }

    /** Every series name the catalogue allows. */
    public static Set<String> seriesNames() {
        return Stream.concat(Stream.concat(CORE.stream(), ADDED.stream()),
                        HISTOGRAMS.stream().flatMap(h -> HISTOGRAM_SUFFIXES.stream().map(suffix -> h + suffix)))
                .collect(Collectors.toUnmodifiableSet());
    }

    public static boolean isRecordingRule(String name) {
        return name.contains(":");
    }
}
