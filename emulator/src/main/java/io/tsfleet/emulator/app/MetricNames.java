package io.tsfleet.emulator.app;

/**
 * Every metric the emulator publishes, by its Micrometer name (Prometheus: dots become underscores, counters end in
 * {@code _total}). Registered only by the meter binders: {@link BrokerMetrics} (the broker, the emulated kernel and its
 * workload), {@code live.config.KernelBackendMeters} (the live-kernel backend), {@link DelayAccountingReport},
 * {@code node.config.NodeAgentMeters} and {@code api.ControlApiRefusals}.
 */
public final class MetricNames {
    private MetricNames() {
    }

    /** The tag every meter of the process carries ({@link NodeMetricTag}): the node's name. */
    public static final String NODE_TAG = "node";

    // the broker (both backends)
    public static final String BROKER_CONNECTIONS = "tsfleet.broker.connections";
    public static final String BROKER_CONNECTIONS_ACCEPTED = "tsfleet.broker.connections.accepted";
    public static final String BROKER_CONNECTIONS_REJECTED = "tsfleet.broker.connections.rejected";
    public static final String BROKER_CONNECTIONS_CLOSED = "tsfleet.broker.connections.closed";
    public static final String BROKER_INPUT_PAUSES = "tsfleet.broker.input.pauses";
    public static final String BROKER_MALFORMED_FRAMES = "tsfleet.broker.malformed.frames";
    public static final String BROKER_SLOW_CONNECTIONS_CLOSED = "tsfleet.broker.slow.connections.closed";
    public static final String BROKER_RECEIVED_BYTES = "tsfleet.broker.received.bytes";
    public static final String BROKER_SENT_BYTES = "tsfleet.broker.sent.bytes";
    public static final String BROKER_SENT_WRITES = "tsfleet.broker.sent.writes";
    public static final String BROKER_REQUESTS = "tsfleet.broker.requests";

    // the emulated kernel and its workload
    public static final String WORKLOAD_EXITS = "tsfleet.broker.workload.exits";
    public static final String WORKLOAD_LAGGED_EXITS = "tsfleet.broker.workload.lagged.exits";
    public static final String EXITS = "tsfleet.broker.exits";
    public static final String EVENTS_SENT = "tsfleet.broker.events.sent";
    public static final String EVENTS_DROPPED = "tsfleet.broker.events.dropped";
    public static final String REQUEST_ERRORS = "tsfleet.broker.request.errors";
    public static final String REPLIES_DROPPED = "tsfleet.broker.replies.dropped";
    public static final String REGISTRATIONS = "tsfleet.broker.registrations";
    public static final String LISTENERS = "tsfleet.broker.listeners";
    public static final String LISTENER_ENTRIES = "tsfleet.broker.listener.entries";
    public static final String TASKS_LIVE = "tsfleet.broker.tasks.live";

    // the live-kernel backend
    public static final String KERNEL_SOCKETS = "tsfleet.broker.kernel.sockets";
    public static final String KERNEL_REQUESTS = "tsfleet.broker.kernel.requests";
    public static final String KERNEL_MESSAGES_RECEIVED = "tsfleet.broker.kernel.messages.received";
    public static final String KERNEL_EVENTS = "tsfleet.broker.kernel.events";
    public static final String KERNEL_OVERRUNS = "tsfleet.broker.kernel.overruns";
    public static final String KERNEL_DROPPED_DATAGRAMS = "tsfleet.broker.kernel.dropped.datagrams";
    public static final String KERNEL_BACKLOG = "tsfleet.broker.kernel.backlog";
    public static final String KERNEL_BACKLOG_FULL = "tsfleet.broker.kernel.backlog.full";
    public static final String KERNEL_REFUSED_CONNECTIONS = "tsfleet.broker.kernel.refused.connections";
    public static final String KERNEL_DROPPED_ANSWERS = "tsfleet.broker.kernel.dropped.answers";

    // both backends: whether the kernel fills the delay fields (app.DelayAccountingReport; the emulated kernel always does)
    public static final String DELAY_ACCOUNTING_ENABLED = "tsfleet.broker.delay.accounting.enabled";

    // the node agent (node.config.NodeAgentMeters), when tsfleet.emulator.node.coordinator-url is set
    public static final String NODE_ANNOUNCEMENTS = "tsfleet.emulator.node.announcements";
    public static final String NODE_ANNOUNCE_FAILURES = "tsfleet.emulator.node.announce.failures";
    public static final String NODE_REGISTERED = "tsfleet.emulator.node.registered";

    // the control API
    public static final String API_REFUSED = "tsfleet.emulator.api.refused";
}
