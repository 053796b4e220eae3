package io.tsfleet.benchmarks.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for an emulator and one replica over HTTP, for the harness's smoke test: exits accrue at the rate set by
 * {@code PUT /api/v1/workload} (per CPU times the CPU count), the replica keeps up to {@code capacity} records per
 * second and loses the rest (as sequence gaps, and the broker counts them dropped). Both expose the metric names the
 * harness reads, in Prometheus text format.
 */
final class FakeFleet implements AutoCloseable {
    private static final Pattern BASE_RATE = Pattern.compile("\"baseRate\"\\s*:\\s*([0-9.eE+-]+)");
    /** The stand-in broker's batching: sent bytes over socket writes, in events. */
    static final int EVENTS_PER_WRITE = 3;

    private final int cpus;
    private final double capacity;
    private final HttpServer emulator;
    private final HttpServer replica;
    private double perCpu;
    private long lastNanos = System.nanoTime();
    private double exits;
    private double records;
    private double lost;

    FakeFleet(int cpus, double capacity) throws IOException {
        this.cpus = cpus;
        this.capacity = capacity;
        emulator = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        replica = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        emulator.createContext("/api/v1/workload", this::workload);
        emulator.createContext("/actuator/prometheus", x -> respond(x, 200, emulatorMetrics()));
        replica.createContext("/actuator/prometheus", x -> respond(x, 200, replicaMetrics()));
        emulator.start();
        replica.start();
    }

    URI emulatorBase() {
        return URI.create("http://127.0.0.1:" + emulator.getAddress().getPort());
    }

    URI replicaPrometheus() {
        return URI.create("http://127.0.0.1:" + replica.getAddress().getPort() + "/actuator/prometheus");
    }

    private synchronized void advance() {
        long now = System.nanoTime();
        double dt = (now - lastNanos) / 1e9;
        lastNanos = now;
        double rate = perCpu * cpus;
        exits += rate * dt;
        records += Math.min(rate, capacity) * dt;
        lost += Math.max(0, rate - capacity) * dt;
    }

    private void workload(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = BASE_RATE.matcher(body);
        if (!"PUT".equals(x.getRequestMethod()) || !m.find()) {
            respond(x, 400, "{\"detail\":\"need PUT {baseRate}\"}");
            return;
        }
        advance();
        synchronized (this) {
            perCpu = Double.parseDouble(m.group(1));
        }
        respond(x, 200, body);
    }

    private synchronized String emulatorMetrics() {
        advance();
        return String.format(Locale.ROOT, """
                # TYPE tsfleet_broker_exits_total counter
                tsfleet_broker_exits_total{application="emulator"} %.0f
                tsfleet_broker_events_dropped_total{application="emulator",reason="congested"} %.0f
                tsfleet_broker_events_dropped_total{application="emulator",reason="connection_refused"} 7
                tsfleet_broker_events_dropped_total{application="emulator",reason="rcvbuf_full"} 0
                tsfleet_broker_workload_lagged_exits_total{application="emulator"} 0
                tsfleet_broker_sent_bytes_total{application="emulator"} %.0f
                tsfleet_broker_sent_writes_total{application="emulator"} %.0f
                """, Math.floor(exits), Math.floor(lost), Math.floor(exits) * 596, Math.floor(exits) / EVENTS_PER_WRITE);
    }

    private synchronized String replicaMetrics() {
        advance();
        return String.format(Locale.ROOT, """
                tsfleet_listener_records_total{application="listener-service"} %.0f
                tsfleet_listener_records_lost_total{application="listener-service"} %.0f
                tsfleet_listener_enobufs_total{application="listener-service"} 0
                """, Math.floor(records), Math.floor(lost));
    }

    /** Answers an exchange with a UTF-8 body (also used by {@link StandInBroker}). */
    static void respond(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    @Override
    public void close() {
        emulator.stop(0);
        replica.stop(0);
    }
}
