package io.tsfleet.listener.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.listener.coordinator.HeartbeatLoop;
import io.tsfleet.listener.domain.ReplicaTotals;
import io.tsfleet.listener.engine.NodeObserver;
import io.tsfleet.listener.engine.NodeSlots;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.listener.engine.SinkFanOut;
import io.tsfleet.listener.engine.SinkPipeline;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The replica's counters and gauges, read from the engine at scrape time ({@code tsfleet_listener_*}, names in
 * {@link MetricNames}; no cpu label: per-CPU detail is at {@code GET /api/v1/cpus}). Per-node series carry a
 * {@code node} label, registered when the replica starts holding state for a node and removed when the node leaves
 * its directive: bounded by the nodes.
 */
public final class ReplicaMeterBinder implements MeterBinder, NodeObserver {
    private final ReplicaEngine engine;
    private final SinkFanOut sinks;
    private final HeartbeatLoop heartbeatLoop;
    private final Map<NodeSlots, List<Meter>> nodeMeters = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;

    public ReplicaMeterBinder(ReplicaEngine engine, SinkFanOut sinks, HeartbeatLoop heartbeatLoop) {
        this.engine = engine;
        this.sinks = sinks;
        this.heartbeatLoop = heartbeatLoop;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        ReplicaTotals t = engine.totals();
        counter(r, MetricNames.RECORDS, "Records received, attributed to their CPU and kept", t.records);
        FunctionCounter.builder(MetricNames.RECORDS_LOST, t, ReplicaTotals::lostReported)
                .description("Records lost: per-CPU sequence gaps below any handover fence, and records kept but never written").register(r);
        counter(r, MetricNames.RECORDS_UNWRITTEN, "Records kept but never written (the sink failed, or shutdown gave up waiting for it); part of records_lost", t.unwritten);
        counter(r, MetricNames.ENOBUFS, "ENOBUFS episodes reported by the broker (in-band overrun)", t.enobufs);
        counter(r, MetricNames.DUPLICATES, "Records received twice (handover races, repeated sequence numbers)", t.duplicates);
        counter(r, MetricNames.RECORDS_HANDED_OVER, "Records at or past a handover fence, left to the new owner", t.handedOver);
        counter(r, MetricNames.RECORDS_MALFORMED, "Events whose taskstats payload could not be decoded", t.malformed);
        counter(r, MetricNames.RECORDS_DROPPED_WITH_NODE, "Records held back for a handover when their node left the directive (dropped with the node, not loss)",
                t.droppedWithNode);
        FunctionCounter.builder(MetricNames.BROKER_REFUSALS, t.refusedNoBroker, LongAdder::sum).tag("reason", "no_broker")
                .description("Node targets refused: the coordinator named no broker and tsfleet.listener.broker is not set").register(r);
        FunctionCounter.builder(MetricNames.BROKER_REFUSALS, t.refusedNodeMismatch, LongAdder::sum).tag("reason", "node_mismatch")
                .description("Broker connections refused: the broker the coordinator named reported another node").register(r);
        counter(r, MetricNames.RECORDS_UNATTRIBUTED, "Events on a connection before it registered (dropped)", t.unattributed);
        counter(r, MetricNames.HANDOVERS_ABORTED, "Handovers aborted because the connection broke before the fence", t.handoversAborted);
        counter(r, MetricNames.RELEASES_FORCED, "CPUs released by the handover timeout before reaching the fence", t.forcedReleases);
        counter(r, MetricNames.DEREGISTRATIONS_UNANSWERED, "Shutdown deregistrations the broker never answered (what it still held is unknown)",
                t.unansweredDeregistrations);
        for (SinkPipeline p : sinks.pipelines()) bindSink(r, p);
        FunctionCounter.builder(MetricNames.BROKER_CONNECT_FAILURES, engine, ReplicaEngine::connectFailures)
                .description("Failed attempts to connect, handshake or register with the broker").register(r);
        FunctionCounter.builder(MetricNames.UNREGISTERED, engine, ReplicaEngine::unregisteredSeconds).baseUnit("seconds")
                .description("CPU-seconds an owned CPU was without a registration (broker outages); exits then are not observable")
                .register(r);
        FunctionCounter.builder(MetricNames.DIRECTIVES_REFUSED, engine, ReplicaEngine::refusedDirectives)
                .description("Coordinator directives refused (stale generation or invalid)").register(r);

        gauge(r, MetricNames.OWNED_CPUS, "CPUs registered on a live broker connection", ReplicaEngine::ownedCount, null);
        gauge(r, MetricNames.TARGET_CPUS, "CPUs in the replica's target mask", ReplicaEngine::targetSize, null);
        gauge(r, MetricNames.LOAD_RATIO, "Utilisation of the busier stage (receive or sink), 0..1", ReplicaEngine::loadRatio, null);
        gauge(r, MetricNames.CAPACITY_RECORDS_PER_SECOND, "Estimated records per second sustainable without loss", ReplicaEngine::capacityPerSecond, null);
        gauge(r, MetricNames.GENERATION, "Plan generation applied", e -> e.generation(), null);
        gauge(r, MetricNames.HANDOVERS_IN_FLIGHT, "CPUs leaving or releasing", ReplicaEngine::handoversInFlight, null);
        gauge(r, MetricNames.RECORDS_HELD, "Records held back by leaving CPUs until their fences", ReplicaEngine::heldRecords, null);
        gauge(r, MetricNames.READY, "1 when the mask is registered and receiving", e -> e.ready() ? 1 : 0, null);

        registry = r;
        engine.nodeObserver(this);

        if (heartbeatLoop != null) {
            FunctionCounter.builder(MetricNames.COORDINATOR_HEARTBEATS, heartbeatLoop, HeartbeatLoop::deliveredCount)
                    .tag("outcome", "delivered").description("Heartbeats to the coordinator").register(r);
            FunctionCounter.builder(MetricNames.COORDINATOR_HEARTBEATS, heartbeatLoop, HeartbeatLoop::failedCount)
                    .tag("outcome", "failed").description("Heartbeats to the coordinator").register(r);
            FunctionCounter.builder(MetricNames.COORDINATOR_HEARTBEATS, heartbeatLoop, HeartbeatLoop::notPermittedCount)
                    .tag("outcome", "circuit_open").description("Heartbeats to the coordinator").register(r);
            FunctionCounter.builder(MetricNames.COORDINATOR_HEARTBEATS_EXPEDITED, heartbeatLoop, HeartbeatLoop::expeditedCount)
                    .description("Heartbeats sent sooner than the regular interval for a handover step").register(r);
            Gauge.builder(MetricNames.COORDINATOR_CIRCUIT_OPEN, heartbeatLoop,
                            h -> h.breakerState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN ? 1 : 0)
                    .description("1 while the circuit breaker around the coordinator is open").register(r);
        }
    }

    /** The series of one sink, tagged {@code sink=<scheme>} (at most one sink per scheme). */
    private static void bindSink(MeterRegistry r, SinkPipeline p) {
        String sink = p.name();
        FunctionCounter.builder(MetricNames.SINK_RECORDS, p, SinkPipeline::recordsWritten).tag("sink", sink)
                .description("Records written by the sink (write returned; acknowledged, for a sink that confirms later)").register(r);
        FunctionCounter.builder(MetricNames.SINK_ERRORS, p, SinkPipeline::sinkErrors).tag("sink", sink)
                .description("Records the sink failed to write or lost, and records given up at shutdown (lost at the sink; part of records_lost)")
                .register(r);
        FunctionCounter.builder(MetricNames.SINK_DROPPED, p, SinkPipeline::recordsDropped).tag("sink", sink)
                .description("Records not queued because the sink was slow and its when-slow is drop (lost at the sink; part of records_lost)")
                .register(r);
        FunctionCounter.builder(MetricNames.SINK_FILTERED, p, SinkPipeline::recordsFiltered).tag("sink", sink)
                .description("Records left out by processes-only (not loss)").register(r);
        FunctionCounter.builder(MetricNames.SINK_BACKPRESSURE, p, s -> s.backpressureNanos() / 1e9).tag("sink", sink).baseUnit("seconds")
                .description("Time readers waited for the sink (they stop reading the broker meanwhile)").register(r);
        Gauge.builder(MetricNames.SINK_LAG, p, SinkPipeline::lagSeconds).tag("sink", sink).baseUnit("seconds")
                .description("Age of the oldest batch waiting for the sink").register(r);
        Gauge.builder(MetricNames.SINK_QUEUE, p, SinkPipeline::queuedBytes).tag("sink", sink).baseUnit("bytes")
                .description("Bytes of records waiting for the sink").register(r);
    }

    @Override
    public void nodeAdded(NodeSlots node) {
        MeterRegistry r = registry;
        if (r == null) return;
        List<Meter> meters = List.of(
                Gauge.builder(MetricNames.NODE_OWNED_CPUS, node, NodeSlots::ownedCount).tag("node", node.node())
                        .description("CPUs of the node registered on a live broker connection").register(r),
                FunctionCounter.builder(MetricNames.NODE_RECORDS, node, NodeSlots::records).tag("node", node.node())
                        .description("Records of the node received and kept").register(r),
                FunctionCounter.builder(MetricNames.NODE_RECORDS_LOST, node, NodeSlots::lost).tag("node", node.node())
                        .description("Records of the node lost: sequence gaps and records kept but never written").register(r),
                FunctionCounter.builder(MetricNames.NODE_DUPLICATES, node, NodeSlots::duplicates).tag("node", node.node())
                        .description("Records of the node received twice (handover races)").register(r),
                FunctionCounter.builder(MetricNames.NODE_ENOBUFS, node, NodeSlots::enobufs).tag("node", node.node())
                        .description("ENOBUFS episodes on the node's connections").register(r));
        nodeMeters.put(node, meters);
    }

    @Override
    public void nodeRemoved(NodeSlots node) {
        MeterRegistry r = registry;
        List<Meter> meters = nodeMeters.remove(node);
        if (r == null || meters == null) return;
        meters.forEach(r::remove);
    }

    private static void counter(MeterRegistry r, String name, String description, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(r);
    }

    private void gauge(MeterRegistry r, String name, String description, ToDoubleFunction<ReplicaEngine> f, String unit) {
        Gauge.Builder<ReplicaEngine> b = Gauge.builder(name, engine, f).description(description);
        if (unit != null) b.baseUnit(unit);
        b.register(r);
    }
}
