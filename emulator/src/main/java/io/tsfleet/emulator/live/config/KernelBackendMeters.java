package io.tsfleet.emulator.live.config;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.emulator.app.MetricNames;
import io.tsfleet.emulator.live.KernelBackendStats;

import java.util.function.ToDoubleFunction;

/**
 * The live-kernel backend's meters (Prometheus names {@code tsfleet_broker_kernel_*}; no per-CPU or per-connection
 * labels), read from its {@link KernelBackendStats}.
 */
public final class KernelBackendMeters implements MeterBinder {
    private final KernelBackendStats stats;

    public KernelBackendMeters(KernelBackendStats stats) {
        this.stats = stats;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        Gauge.builder(MetricNames.KERNEL_SOCKETS, stats, KernelBackendStats::sockets)
                .description("open AF_NETLINK sockets, one per broker connection").register(r);
        counter(r, MetricNames.KERNEL_REQUESTS, "handled_by", "kernel", KernelBackendStats::requestsForwarded, "client requests");
        counter(r, MetricNames.KERNEL_REQUESTS, "handled_by", "backend", KernelBackendStats::requestsAnswered, "client requests");
        counter(r, MetricNames.KERNEL_MESSAGES_RECEIVED, null, null, KernelBackendStats::messagesForwarded,
                "messages received from the kernel and forwarded to clients");
        counter(r, MetricNames.KERNEL_EVENTS, null, null, KernelBackendStats::eventsForwarded, "TASKSTATS exit events forwarded to clients");
        counter(r, MetricNames.KERNEL_OVERRUNS, null, null, KernelBackendStats::overruns, "ENOBUFS from recv, forwarded in-band as NLMSG_ERROR -105");
        counter(r, MetricNames.KERNEL_DROPPED_DATAGRAMS, "reason", "truncated", KernelBackendStats::truncatedDatagrams,
                "kernel datagrams that did not fit the receive buffer and were dropped");
        counter(r, MetricNames.KERNEL_DROPPED_DATAGRAMS, "reason", "larger_than_drain_buffer", KernelBackendStats::oversizedMessages,
                "kernel messages larger than the server's drain buffer, dropped");
        Gauge.builder(MetricNames.KERNEL_BACKLOG, stats, KernelBackendStats::backlogBytes).baseUnit("bytes")
                .description("messages taken from the kernel sockets that the clients have not taken yet").register(r);
        counter(r, MetricNames.KERNEL_BACKLOG_FULL, null, null, KernelBackendStats::backlogFull,
                "times a connection's backlog was full, so that reading its kernel socket waited for the client");
        counter(r, MetricNames.KERNEL_REFUSED_CONNECTIONS, null, null, KernelBackendStats::refusedConnections,
                "connections refused (non-loopback or untrusted local uid without a token, socket errors)");
        counter(r, MetricNames.KERNEL_DROPPED_ANSWERS, "reason", "held_full", KernelBackendStats::droppedAnswers,
                "backend answers dropped because the client had paused reading and its held answers were full");
    }

    private void counter(MeterRegistry r, String name, String tag, String value, ToDoubleFunction<KernelBackendStats> f, String description) {
        FunctionCounter.Builder<KernelBackendStats> b = FunctionCounter.builder(name, stats, f).description(description);
        if (tag != null) b.tag(tag, value);
        b.register(r);
    }
}
