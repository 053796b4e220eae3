package io.tsfleet.benchmarks.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.testing.FakeBroker;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the emulator's broker and its control API, for the fan-out pieces' tests. The broker is the protocol
 * test-jar's {@link FakeBroker} (controller, {@code TSFLEET_SOCK}, REGISTER and their acks, dynamic family ids, no
 * token); what a registered connection then gets is a {@link FakeBroker.Feed} of this class: either a fixed script of
 * bytes (written in odd-sized chunks, so frames are split across reads) or a stream of exit events at the rate set by
 * {@code PUT /api/v1/workload} (per CPU times the CPU count), of which every connection takes at most
 * {@code capPerListener} events/s and the rest is counted dropped ({@code rcvbuf_full}), with the broker's metric
 * names on {@code /actuator/prometheus}.
 */
final class StandInBroker implements AutoCloseable {
    /** The CPUs a connection may register on (a scripted stand-in takes the raw listeners' "0-63"). */
    private static final int SCRIPTED_CPUS = 64;
    private static final Pattern BASE_RATE = Pattern.compile("\"baseRate\"\\s*:\\s*([0-9.eE+-]+)");

    /** The bytes a scripted stand-in sends, built from the family ids the broker chose at its start. */
    @FunctionalInterface
    interface Script {
        byte[] bytes(int taskstatsFamily, int sockFamily);
    }

    private final FakeBroker broker;
    private final HttpServer http;
    private final int cpus;
    private final byte[] script;
    private final int chunk;
    private final double capPerListener;
    /** One exit event of the broker's TASKSTATS family, repeated by the stream. */
    private final byte[] event;
    private double exitsPerSecond;
    private double exitsBefore;
    private long rateSince = System.nanoTime();
    private long sent;
    private long dropped;

    /** Registered connections get {@code script}, in chunks of {@code chunk} bytes. */
    static StandInBroker scripted(Script script, int chunk) throws IOException {
        return new StandInBroker(SCRIPTED_CPUS, script, chunk, 0);
    }

    /** Registered connections get events at the workload's rate, at most {@code capPerListener} per second each. */
    static StandInBroker streaming(int cpus, double capPerListener) throws IOException {
        return new StandInBroker(cpus, null, 0, capPerListener);
    }

    private StandInBroker(int cpus, Script script, int chunk, double capPerListener) throws IOException {
        this.cpus = cpus;
        this.chunk = chunk;
        this.capPerListener = capPerListener;
        broker = new FakeBroker(null, cpus).start();
        this.script = script == null ? null : script.bytes(broker.taskstatsFamily(), broker.sockFamily());
        event = TaskstatsEvent.exit(7, 4242, Taskstats.builder().comm("fake").build()).encode(broker.taskstatsFamily()).toBytes();
        broker.feedAfterRegister(script == null ? (r, out) -> stream(out) : (r, out) -> writeScript(out));
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            broker.close();
            throw e;
        }
        http.createContext("/api/v1/workload", this::workload);
        http.createContext("/actuator/prometheus", x -> FakeFleet.respond(x, 200, metrics()));
        http.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", broker.port());
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    int taskstatsFamily() {
        return broker.taskstatsFamily();
    }

    /** What a scripted stand-in sends to each registered connection. */
    byte[] script() {
        return script.clone();
    }

    /** Every accepted REGISTER so far (port id, cpulist). */
    List<FakeBroker.Registration> registrations() {
        return broker.registrations();
    }

    /** The script in chunks, 1 ms apart; then the connection stays open (until the client or {@link #close} ends it). */
    private void writeScript(OutputStream out) throws IOException, InterruptedException {
        for (int i = 0; i < script.length; ) {
            int n = Math.min(chunk, script.length - i);
            out.write(script, i, n);
            out.flush();
            i += n;
            Thread.sleep(1);
        }
    }

    /** Every 5 ms: the events due at the current rate, at most the cap; the rest dropped. Until a write fails. */
    private void stream(OutputStream out) throws IOException, InterruptedException {
        double credit = 0;
        long last = System.nanoTime();
        byte[] batch = new byte[0];
        while (true) {
            Thread.sleep(5);
            long now = System.nanoTime();
            double dt = (now - last) / 1e9;
            last = now;
            double rate;
            synchronized (this) {
                rate = exitsPerSecond;
            }
            credit += rate * dt;
            long due = (long) credit;
            credit -= due;
            long allowed = Math.min(due, (long) Math.ceil(capPerListener * dt));
            synchronized (this) {
                sent += allowed;
                dropped += due - allowed;
            }
            if (allowed == 0) continue;
            if (batch.length < allowed * event.length) {
                batch = new byte[(int) allowed * event.length];
                for (int i = 0; i < allowed; i++) System.arraycopy(event, 0, batch, i * event.length, event.length);
            }
            out.write(batch, 0, (int) allowed * event.length);
            out.flush();
        }
    }

    private synchronized double exitsNow() {
        return exitsBefore + exitsPerSecond * (System.nanoTime() - rateSince) / 1e9;
    }

    private void workload(HttpExchange x) throws IOException {
        Matcher m = BASE_RATE.matcher(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (!"PUT".equals(x.getRequestMethod()) || !m.find()) {
            FakeFleet.respond(x, 400, "{\"detail\":\"need PUT {baseRate}\"}");
            return;
        }
        synchronized (this) {
            exitsBefore = exitsNow();
            rateSince = System.nanoTime();
            exitsPerSecond = Double.parseDouble(m.group(1)) * cpus;
        }
        FakeFleet.respond(x, 200, "{}");
    }

    private synchronized String metrics() {
        return String.format(Locale.ROOT, """
                # TYPE tsfleet_broker_exits_total counter
                tsfleet_broker_exits_total{application="emulator"} %.0f
                tsfleet_broker_events_sent_total{application="emulator"} %d
                tsfleet_broker_events_dropped_total{application="emulator",reason="congested"} 0
                tsfleet_broker_events_dropped_total{application="emulator",reason="connection_refused"} 3
                tsfleet_broker_events_dropped_total{application="emulator",reason="rcvbuf_full"} %d
                tsfleet_broker_workload_lagged_exits_total{application="emulator"} 0
                """, Math.floor(exitsNow()), sent, dropped);
    }

    @Override
    public void close() throws IOException {
        http.stop(0);
        broker.close();
    }
}
