package io.tsfleet.emulator.live;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Meters of the live-kernel backend (Prometheus names {@code tsfleet_broker_kernel_*}; no per-CPU or per-connection
 * labels). Drops inside the kernel are the kernel's {@code sk_drops}; what the backend itself cannot deliver is
 * counted here by reason.
 */
final class KernelBackendMetrics {
    final AtomicInteger sockets = new AtomicInteger();
    final AtomicLong backlogBytes = new AtomicLong();
    final Counter backlogFull;
    final Counter requestsForwarded;
    final Counter requestsAnswered;
    final Counter eventsForwarded;
    final Counter messagesForwarded;
    final Counter overruns;
    final Counter truncatedDatagrams;
    final Counter oversizedMessages;
    final Counter refusedConnections;
    final Counter droppedAnswers;

    KernelBackendMetrics(MeterRegistry registry) {
        Gauge.builder("tsfleet.broker.kernel.sockets", sockets, AtomicInteger::get)
                .description("open AF_NETLINK sockets, one per broker connection").register(registry);
        requestsForwarded = Counter.builder("tsfleet.broker.kernel.requests").tag("handled_by", "kernel")
                .description("client requests").register(registry);
        requestsAnswered = Counter.builder("tsfleet.broker.kernel.requests").tag("handled_by", "backend")
                .description("client requests").register(registry);
        messagesForwarded = Counter.builder("tsfleet.broker.kernel.messages.received")
                .description("messages received from the kernel and forwarded to clients").register(registry);
        eventsForwarded = Counter.builder("tsfleet.broker.kernel.events")
                .description("TASKSTATS exit events forwarded to clients").register(registry);
        overruns = Counter.builder("tsfleet.broker.kernel.overruns")
                .description("ENOBUFS from recv, forwarded in-band as NLMSG_ERROR -105").register(registry);
        truncatedDatagrams = Counter.builder("tsfleet.broker.kernel.dropped.datagrams").tag("reason", "truncated")
                .description("kernel datagrams that did not fit the receive buffer and were dropped").register(registry);
        oversizedMessages = Counter.builder("tsfleet.broker.kernel.dropped.datagrams").tag("reason", "larger_than_drain_buffer")
                .description("kernel messages larger than the server's drain buffer, dropped").register(registry);
        Gauge.builder("tsfleet.broker.kernel.backlog", backlogBytes, AtomicLong::get).baseUnit("bytes")
                .description("messages taken from the kernel sockets that the clients have not taken yet").register(registry);
        backlogFull = Counter.builder("tsfleet.broker.kernel.backlog.full")
                .description("times a connection's backlog was full, so that reading its kernel socket waited for the client").register(registry);
        refusedConnections = Counter.builder("tsfleet.broker.kernel.refused.connections")
                .description("connections refused (non-loopback or untrusted local uid without a token, socket errors)").register(registry);
        droppedAnswers = Counter.builder("tsfleet.broker.kernel.dropped.answers").tag("reason", "held_full")
                .description("backend answers dropped because the client had paused reading and its held answers were full").register(registry);
    }
}
