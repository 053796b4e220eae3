package io.tsfleet.listener.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.listener.coordinator.HeartbeatLoop;
import io.tsfleet.listener.domain.ReplicaTotals;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.listener.engine.SinkPipeline;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The replica's counters and gauges, read from the engine at scrape time ({@code tsfleet_listener_*}; no cpu label:
 * per-CPU detail is at {@code GET /api/v1/cpus}).
 */
public final class ReplicaMeterBinder implements MeterBinder {
    private final ReplicaEngine engine;
    private final SinkPipeline pipeline;
    private final HeartbeatLoop heartbeatLoop;

    public ReplicaMeterBinder(ReplicaEngine engine, SinkPipeline pipeline, HeartbeatLoop heartbeatLoop) {
        this.engine = engine;
        this.pipeline = pipeline;
        this.heartbeatLoop = heartbeatLoop;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        ReplicaTotals t = engine.totals();
        counter(r, "tsfleet.listener.records", "Records received, attributed to their CPU and kept", t.records);
        FunctionCounter.builder("tsfleet.listener.records.lost", t, ReplicaTotals::lostReported)
                .description("Records lost: per-CPU sequence gaps below any handover fence, and records kept but never written").register(r);
        counter(r, "tsfleet.listener.records.unwritten", "Records kept but never written (the sink failed, or shutdown gave up waiting for it); part of records_lost", t.unwritten);
        counter(r, "tsfleet.listener.enobufs", "ENOBUFS episodes reported by the broker (in-band overrun)", t.enobufs);
        counter(r, "tsfleet.listener.duplicates", "Records received twice (handover races, repeated sequence numbers)", t.duplicates);
        counter(r, "tsfleet.listener.records.handed.over", "Records at or past a handover fence, left to the new owner", t.handedOver);
        counter(r, "tsfleet.listener.records.malformed", "Events whose taskstats payload could not be decoded", t.malformed);
        counter(r, "tsfleet.listener.records.unattributed", "Events on a connection before it registered (dropped)", t.unattributed);
        counter(r, "tsfleet.listener.handovers.aborted", "Handovers aborted because the connection broke before the fence", t.handoversAborted);
        counter(r, "tsfleet.listener.releases.forced", "CPUs released by the handover timeout before reaching the fence", t.forcedReleases);
        counter(r, "tsfleet.listener.deregistrations.unanswered", "Shutdown deregistrations the broker never answered (what it still held is unknown)",
                t.unansweredDeregistrations);
        FunctionCounter.builder("tsfleet.listener.sink.records", pipeline, SinkPipeline::recordsWritten)
                .description("Records written to the sink").register(r);
        FunctionCounter.builder("tsfleet.listener.sink.errors", pipeline, SinkPipeline::sinkErrors)
                .description("Records the sink failed to write or lost from its buffer, and records given up at shutdown (lost at the sink)").register(r);
        FunctionCounter.builder("tsfleet.listener.sink.backpressure", pipeline, p -> p.backpressureNanos() / 1e9).baseUnit("seconds")
                .description("Time readers waited for the sink (they stop reading the broker meanwhile)").register(r);
        FunctionCounter.builder("tsfleet.listener.broker.connect.failures", engine, ReplicaEngine::connectFailures)
                .description("Failed attempts to connect, handshake or register with the broker").register(r);
        FunctionCounter.builder("tsfleet.listener.unregistered", engine, ReplicaEngine::unregisteredSeconds).baseUnit("seconds")
                .description("CPU-seconds an owned CPU was without a registration (broker outages); exits then are not observable")
                .register(r);
        FunctionCounter.builder("tsfleet.listener.directives.refused", engine, ReplicaEngine::refusedDirectives)
                .description("Coordinator directives refused (stale generation or invalid)").register(r);

        gauge(r, "tsfleet.listener.owned.cpus", "CPUs registered on a live broker connection", ReplicaEngine::ownedCount, null);
        gauge(r, "tsfleet.listener.target.cpus", "CPUs in the replica's target mask", e -> e.target() == null ? 0 : e.target().size(), null);
        gauge(r, "tsfleet.listener.load.ratio", "Utilisation of the busier stage (receive or sink), 0..1", ReplicaEngine::loadRatio, null);
        gauge(r, "tsfleet.listener.capacity.records.per.second", "Estimated records per second sustainable without loss", ReplicaEngine::capacityPerSecond, null);
        gauge(r, "tsfleet.listener.generation", "Plan generation applied", e -> e.generation(), null);
        gauge(r, "tsfleet.listener.handovers.in.flight", "CPUs leaving or releasing", ReplicaEngine::handoversInFlight, null);
        gauge(r, "tsfleet.listener.records.held", "Records held back by leaving CPUs until their fences", ReplicaEngine::heldRecords, null);
        gauge(r, "tsfleet.listener.ready", "1 when the mask is registered and receiving", e -> e.ready() ? 1 : 0, null);
        Gauge.builder("tsfleet.listener.sink.lag", pipeline, SinkPipeline::lagSeconds).baseUnit("seconds")
                .description("Age of the oldest batch waiting for the sink").register(r);
        Gauge.builder("tsfleet.listener.sink.queue", pipeline, SinkPipeline::queuedBytes).baseUnit("bytes")
                .description("Bytes of records waiting for the sink").register(r);

        if (heartbeatLoop != null) {
            FunctionCounter.builder("tsfleet.listener.coordinator.heartbeats", heartbeatLoop, HeartbeatLoop::deliveredCount)
                    .tag("outcome", "delivered").description("Heartbeats to the coordinator").register(r);
            FunctionCounter.builder("tsfleet.listener.coordinator.heartbeats", heartbeatLoop, HeartbeatLoop::failedCount)
                    .tag("outcome", "failed").description("Heartbeats to the coordinator").register(r);
            FunctionCounter.builder("tsfleet.listener.coordinator.heartbeats", heartbeatLoop, HeartbeatLoop::notPermittedCount)
                    .tag("outcome", "circuit_open").description("Heartbeats to the coordinator").register(r);
            Gauge.builder("tsfleet.listener.coordinator.circuit.open", heartbeatLoop,
                            h -> h.breakerState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN ? 1 : 0)
                    .description("1 while the circuit breaker around the coordinator is open").register(r);
        }
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
