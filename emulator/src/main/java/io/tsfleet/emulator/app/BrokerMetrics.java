package io.tsfleet.emulator.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.broker.BrokerStats;
import io.tsfleet.emulator.broker.CloseReason;
import io.tsfleet.emulator.broker.RefusalReason;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.emulated.kernel.KernelCounters;
import io.tsfleet.emulator.emulated.workload.WorkloadGenerator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import java.util.function.ToDoubleFunction;

/**
 * The broker's metrics (Prometheus names {@code tsfleet_broker_*}); no {@code cpu} label: per-CPU detail is
 * served by {@code GET /api/v1/cpus}. Kernel counters exist with the emulated backend.
 */
@Component
class BrokerMetrics implements MeterBinder {
    private final BrokerServer server;
    private final ObjectProvider<EmulatedKernel> kernel;
    private final ObjectProvider<WorkloadGenerator> workload;

    BrokerMetrics(BrokerServer server, ObjectProvider<EmulatedKernel> kernel, ObjectProvider<WorkloadGenerator> workload) {
        this.server = server;
        this.kernel = kernel;
        this.workload = workload;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        BrokerStats s = server.stats();
        Gauge.builder("tsfleet.broker.connections", s, BrokerStats::openConnections).description("open broker connections (netlink sockets)").register(r);
        counter(r, "tsfleet.broker.connections.accepted", s, BrokerStats::accepted, "connections accepted");
        for (RefusalReason reason : RefusalReason.values()) {
            FunctionCounter.builder("tsfleet.broker.connections.rejected", s, st -> st.rejected(reason)).tag("reason", reason.tag())
                    .description("connections refused right after accept, by reason").register(r);
        }
        for (CloseReason reason : CloseReason.values()) {
            FunctionCounter.builder("tsfleet.broker.connections.closed", s, st -> st.closed(reason)).tag("reason", reason.tag())
                    .description("established connections the broker closed, by reason").register(r);
        }
        counter(r, "tsfleet.broker.input.pauses", s, BrokerStats::inputPauses,
                "times the broker stopped reading a connection's requests because its unread output was at the cap");
        counter(r, "tsfleet.broker.malformed.frames", s, BrokerStats::malformedFrames, "connections closed for a malformed netlink frame");
        counter(r, "tsfleet.broker.slow.connections.closed", s, BrokerStats::slowlorisClosed, "connections closed for sitting on an incomplete frame");
        counter(r, "tsfleet.broker.received.bytes", s, BrokerStats::bytesRead, "bytes read from clients");
        counter(r, "tsfleet.broker.sent.bytes", s, BrokerStats::bytesWritten, "bytes written to clients");
        counter(r, "tsfleet.broker.sent.writes", s, BrokerStats::writes, "socket writes to clients (sent bytes over writes is the batching)");
        counter(r, "tsfleet.broker.requests", s, BrokerStats::requests, "netlink messages received from clients");
        EmulatedKernel k = kernel.getIfAvailable();
        if (k != null) bindKernel(r, k);
        WorkloadGenerator w = workload.getIfAvailable();
        if (w != null) {
            counter(r, "tsfleet.broker.workload.exits", w, WorkloadGenerator::emitted, "exits produced by the workload generator");
            counter(r, "tsfleet.broker.workload.lagged.exits", w, WorkloadGenerator::lagged, "exits the workload skipped because a tick hit its limit");
        }
    }

    private static void bindKernel(MeterRegistry r, EmulatedKernel k) {
        KernelCounters c = k.counters();
        counter(r, "tsfleet.broker.exits", c, KernelCounters::exits, "tasks that exited (one per thread)");
        counter(r, "tsfleet.broker.events.sent", c, KernelCounters::eventsQueued, "exit events queued to listeners");
        FunctionCounter.builder("tsfleet.broker.events.dropped", c, KernelCounters::droppedRcvbufFull).tag("reason", "rcvbuf_full")
                .description("exit events dropped").register(r);
        FunctionCounter.builder("tsfleet.broker.events.dropped", c, KernelCounters::droppedCongested).tag("reason", "congested")
                .description("exit events dropped").register(r);
        FunctionCounter.builder("tsfleet.broker.events.dropped", c, KernelCounters::droppedRefused).tag("reason", "connection_refused")
                .description("exit events dropped").register(r);
        counter(r, "tsfleet.broker.request.errors", c, KernelCounters::errors, "requests answered with an error");
        counter(r, "tsfleet.broker.replies.dropped", c, KernelCounters::repliesDropped, "replies and acks that did not fit the requester's receive buffer");
        counter(r, "tsfleet.broker.registrations", c, KernelCounters::registrations, "successful REGISTER commands");
        Gauge.builder("tsfleet.broker.listeners", k, kk -> kk.listenerSockets()).description("sockets registered on at least one CPU").register(r);
        Gauge.builder("tsfleet.broker.listener.entries", k, kk -> kk.listenerEntries()).description("per-CPU listener entries").register(r);
        Gauge.builder("tsfleet.broker.tasks.live", k, EmulatedKernel::liveTasks).description("live emulated threads").register(r);
    }

    private static <T> void counter(MeterRegistry r, String name, T obj, ToDoubleFunction<T> f, String description) {
        FunctionCounter.builder(name, obj, f).description(description).register(r);
    }
}
