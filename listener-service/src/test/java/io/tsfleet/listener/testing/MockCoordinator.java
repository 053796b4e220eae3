package io.tsfleet.listener.testing;

import com.sun.net.httpserver.HttpServer;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A coordinator stand-in on the JDK HTTP server: records heartbeats, answers a settable directive or status. */
public final class MockCoordinator implements AutoCloseable {
    /** One request; {@code atNanos}: {@link System#nanoTime()} when it arrived. */
    public record Call(String path, String authorization, String contentType, ReplicaHeartbeat heartbeat, String body, long atNanos) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicReference<ReplicaDirective> directive = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);

    public MockCoordinator() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String text = new String(body, StandardCharsets.UTF_8);
            ReplicaHeartbeat hb = null;
            try {
                hb = JSON.readValue(body, ReplicaHeartbeat.class);
            } catch (RuntimeException ignored) {
                // recorded as unreadable (null)
            }
            calls.add(new Call(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"),
                    ex.getRequestHeaders().getFirst("Content-Type"), hb, text, System.nanoTime()));
            int s = status.get();
            byte[] out;
            if (s == 200) {
                out = JSON.writeValueAsBytes(directive.get());
                ex.getResponseHeaders().add("Content-Type", "application/json");
            } else {
                out = ("{\"type\":\"about:blank\",\"title\":\"nope\",\"status\":" + s + "}").getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/problem+json");
            }
            if (s == 204) {
                ex.sendResponseHeaders(204, -1);
            } else {
                ex.sendResponseHeaders(s, out.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
            ex.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void answer(ReplicaDirective d) {
        directive.set(d);
        status.set(200);
    }

    public void fail(int httpStatus) {
        status.set(httpStatus);
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public Call last() {
        return calls.getLast();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
