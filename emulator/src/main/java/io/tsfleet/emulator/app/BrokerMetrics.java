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
        Gauge.builder(MetricNames.BROKER_CONNECTIONS, s, BrokerStats::openConnections).description("open broker connections (netlink sockets)").register(r);
        counter(r, MetricNames.BROKER_CONNECTIONS_ACCEPTED, s, BrokerStats::accepted, "connections accepted");
        for (RefusalReason reason : RefusalReason.values()) {
            FunctionCounter.builder(MetricNames.BROKER_CONNECTIONS_REJECTED, s, st -> st.rejected(reason)).tag("reason", reason.tag())
                    .description("connections refused right after accept, by reason").register(r);
        }
        for (CloseReason reason : CloseReason.values()) {
            FunctionCounter.builder(MetricNames.BROKER_CONNECTIONS_CLOSED, s, st -> st.closed(reason)).tag("reason", reason.tag())
                    .description("established connections the broker closed, by reason").register(r);
        }
        counter(r, MetricNames.BROKER_INPUT_PAUSES, s, BrokerStats::inputPauses,
                "times the broker stopped reading a connection's requests because its unread output was at the cap");
        counter(r, MetricNames.BROKER_MALFORMED_FRAMES, s, BrokerStats::malformedFrames, "connections closed for a malformed netlink frame");
        counter(r, MetricNames.BROKER_SLOW_CONNECTIONS_CLOSED, s, BrokerStats::slowlorisClosed, "connections closed for sitting on an incomplete frame");
        counter(r, MetricNames.BROKER_RECEIVED_BYTES, s, BrokerStats::bytesRead, "bytes read from clients");
        counter(r, MetricNames.BROKER_SENT_BYTES, s, BrokerStats::bytesWritten, "bytes written to clients");
        counter(r, MetricNames.BROKER_SENT_WRITES, s, BrokerStats::writes, "socket writes to clients (sent bytes over writes is the batching)");
        counter(r, MetricNames.BROKER_REQUESTS, s, BrokerStats::requests, "netlink messages received from clients");
        EmulatedKernel k = kernel.getIfAvailable();
        if (k != null) bindKernel(r, k);
        WorkloadGenerator w = workload.getIfAvailable();
        if (w != null) {
            counter(r, MetricNames.WORKLOAD_EXITS, w, WorkloadGenerator::emitted, "exits produced by the workload generator");
            counter(r, MetricNames.WORKLOAD_LAGGED_EXITS, w, WorkloadGenerator::lagged, "exits the workload skipped because a tick hit its limit");
        }
    }

    private static void bindKernel(MeterRegistry r, EmulatedKernel k) {
        KernelCounters c = k.counters();
        counter(r, MetricNames.EXITS, c, KernelCounters::exits, "tasks that exited (one per thread)");
        counter(r, MetricNames.EVENTS_SENT, c, KernelCounters::eventsQueued, "exit events queued to listeners");
        FunctionCounter.builder(MetricNames.EVENTS_DROPPED, c, KernelCounters::droppedRcvbufFull).tag("reason", "rcvbuf_full")
                .description("exit events dropped").register(r);
        FunctionCounter.builder(MetricNames.EVENTS_DROPPED, c, KernelCounters::droppedCongested).tag("reason", "congested")
                .description("exit events dropped").register(r);
        FunctionCounter.builder(MetricNames.EVENTS_DROPPED, c, KernelCounters::droppedRefused).tag("reason", "connection_refused")
                .description("exit events dropped").register(r);
        counter(r, MetricNames.REQUEST_ERRORS, c, KernelCounters::errors, "requests answered with an error");
        counter(r, MetricNames.REPLIES_DROPPED, c, KernelCounters::repliesDropped, "replies and acks that did not fit the requester's receive buffer");
        counter(r, MetricNames.REGISTRATIONS, c, KernelCounters::registrations, "successful REGISTER commands");
        Gauge.builder(MetricNames.LISTENERS, k, kk -> kk.listenerSockets()).description("sockets registered on at least one CPU").register(r);
        Gauge.builder(MetricNames.LISTENER_ENTRIES, k, kk -> kk.listenerEntries()).description("per-CPU listener entries").register(r);
        Gauge.builder(MetricNames.TASKS_LIVE, k, EmulatedKernel::liveTasks).description("live emulated threads").register(r);
    }

    private static <T> void counter(MeterRegistry r, String name, T obj, ToDoubleFunction<T> f, String description) {
        FunctionCounter.builder(name, obj, f).description(description).register(r);
    }
}
