package io.tsfleet.emulator.node;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A real in-process HTTP server on an ephemeral port standing in for the coordinator's node endpoints: it records
 * every request and answers with the next scripted answer (or the default one).
 */
final class FakeCoordinator implements AutoCloseable {
    record Request(String method, String path, String authorization, String body) {
    }

    record Answer(int status, String contentType, String body) {
    }

    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final Deque<Answer> script = new ArrayDeque<>();
    private volatile Answer defaultAnswer;
    private final HttpServer server;

    FakeCoordinator(long leaseMillis, long intervalMillis) throws IOException {
        defaultAnswer = lease(leaseMillis, intervalMillis);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"), body));
            Answer a;
            synchronized (script) {
                a = script.isEmpty() ? defaultAnswer : script.poll();
            }
            if ("DELETE".equals(exchange.getRequestMethod()) && a == defaultAnswer) a = new Answer(204, null, "");
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            if (a.contentType() != null) exchange.getResponseHeaders().add("Content-Type", a.contentType());
            exchange.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(out);
            }
        });
        server.start();
    }

    static Answer lease(long leaseMillis, long intervalMillis) {
        return new Answer(200, "application/json", "{\"leaseMillis\":" + leaseMillis + ",\"announceIntervalMillis\":" + intervalMillis + "}");
    }

    static Answer problem(int status, String title) {
        return new Answer(status, "application/problem+json", "{\"status\":" + status + ",\"title\":\"" + title + "\",\"detail\":\"no\"}");
    }

    void then(Answer... answers) {
        synchronized (script) {
            for (Answer a : answers) script.add(a);
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
