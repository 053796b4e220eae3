package io.tsfleet.listener.metrics;

/**
 * Every metric the replica publishes, by its Micrometer name (Prometheus: dots become underscores, a base unit is
 * appended, counters end in {@code _total}); the rules, dashboards and docs use the Prometheus form, so these names do
 * not change. Registered only by the binders of this package: {@link ReplicaMeterBinder} (counters and gauges read from
 * the engine at scrape time), {@link HandoverTimers} (handover timers) and {@link TaskDelayCollector} (the per-record
 * delay histograms, registered with the Prometheus registry directly, hence {@link #TASK_DELAY} in Prometheus form) and
 * {@link SinkLatencyCollector} (the same for {@link #SINK_LATENCY}).
 */
public final class MetricNames {
    private MetricNames() {
    }

    // records
    public static final String RECORDS = "tsfleet.listener.records";
    public static final String RECORDS_LOST = "tsfleet.listener.records.lost";
    public static final String RECORDS_UNWRITTEN = "tsfleet.listener.records.unwritten";
    public static final String ENOBUFS = "tsfleet.listener.enobufs";
    public static final String DUPLICATES = "tsfleet.listener.duplicates";
    public static final String RECORDS_HANDED_OVER = "tsfleet.listener.records.handed.over";
    public static final String RECORDS_MALFORMED = "tsfleet.listener.records.malformed";
    public static final String RECORDS_UNATTRIBUTED = "tsfleet.listener.records.unattributed";
    public static final String RECORDS_HELD = "tsfleet.listener.records.held";
    public static final String RECORDS_DROPPED_WITH_NODE = "tsfleet.listener.records.dropped.with.node";

    // per node ({@code node} label: bounded by the nodes, never per CPU)
    public static final String NODE_OWNED_CPUS = "tsfleet.listener.node.owned.cpus";
    public static final String NODE_RECORDS = "tsfleet.listener.node.records";
    public static final String NODE_RECORDS_LOST = "tsfleet.listener.node.records.lost";
    public static final String NODE_DUPLICATES = "tsfleet.listener.node.duplicates";
    public static final String NODE_ENOBUFS = "tsfleet.listener.node.enobufs";

    // handovers and the plan
    public static final String HANDOVERS_ABORTED = "tsfleet.listener.handovers.aborted";
    public static final String RELEASES_FORCED = "tsfleet.listener.releases.forced";
    public static final String DEREGISTRATIONS_UNANSWERED = "tsfleet.listener.deregistrations.unanswered";
    public static final String HANDOVERS_IN_FLIGHT = "tsfleet.listener.handovers.in.flight";
    public static final String HANDOVER_DURATION = "tsfleet.listener.handover.duration";
    public static final String DIRECTIVES_REFUSED = "tsfleet.listener.directives.refused";
    public static final String OWNED_CPUS = "tsfleet.listener.owned.cpus";
    public static final String TARGET_CPUS = "tsfleet.listener.target.cpus";
    public static final String GENERATION = "tsfleet.listener.generation";
    public static final String READY = "tsfleet.listener.ready";

    // capacity and load
    public static final String LOAD_RATIO = "tsfleet.listener.load.ratio";
    public static final String CAPACITY_RECORDS_PER_SECOND = "tsfleet.listener.capacity.records.per.second";

    // the sinks (every series tagged {@code sink=<scheme>})
    public static final String SINK_RECORDS = "tsfleet.listener.sink.records";
    public static final String SINK_ERRORS = "tsfleet.listener.sink.errors";
    public static final String SINK_DROPPED = "tsfleet.listener.sink.dropped";
    public static final String SINK_FILTERED = "tsfleet.listener.sink.filtered";
    public static final String SINK_BACKPRESSURE = "tsfleet.listener.sink.backpressure";
    public static final String SINK_LAG = "tsfleet.listener.sink.lag";
    public static final String SINK_QUEUE = "tsfleet.listener.sink.queue";

    // the broker and the coordinator
    public static final String BROKER_CONNECT_FAILURES = "tsfleet.listener.broker.connect.failures";
    public static final String BROKER_REFUSALS = "tsfleet.listener.broker.refusals";
    public static final String UNREGISTERED = "tsfleet.listener.unregistered";
    public static final String COORDINATOR_HEARTBEATS = "tsfleet.listener.coordinator.heartbeats";
    public static final String COORDINATOR_HEARTBEATS_EXPEDITED = "tsfleet.listener.coordinator.heartbeats.expedited";
    public static final String COORDINATOR_CIRCUIT_OPEN = "tsfleet.listener.coordinator.circuit.open";

    /** The delay histograms, in Prometheus form ({@code _bucket}, {@code _count}, {@code _sum} are appended). */
    public static final String TASK_DELAY = "tsfleet_listener_task_delay_seconds";

    /** The per-sink latency histograms, in Prometheus form (registered with the Prometheus registry directly). */
    public static final String SINK_LATENCY = "tsfleet_listener_sink_latency_seconds";
}
