package io.tsfleet.listener.sink.otlp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP receiver for tests: decodes every request body as the official {@link ExportLogsServiceRequest}
 * (gunzipped when the exporter compressed it) and answers as it is told: 200 with an {@link ExportLogsServiceResponse},
 * or another status, after an optional delay (a slow collector). Ephemeral port.
 */
final class HttpOtlpReceiver implements AutoCloseable {
    /** One request as the receiver saw it. */
    record Request(String method, String path, Map<String, List<String>> headers, ExportLogsServiceRequest body) {
        String header(String name) {
            for (var e : headers.entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue().getFirst();
            return null;
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger answered = new AtomicInteger();
    private volatile int status = 200;
    private volatile long delayMillis;

    HttpOtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw = ex.getRequestBody().readAllBytes();
            InputStream in = new java.io.ByteArrayInputStream(raw);
            if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) in = new GZIPInputStream(in);
            ExportLogsServiceRequest body = ExportLogsServiceRequest.parseFrom(in);
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()), body));
            if (delayMillis > 0) Thread.sleep(delayMillis);
            int s = status;
            byte[] answer = s == 200 ? ExportLogsServiceResponse.getDefaultInstance().toByteArray() : new byte[0];
            ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(s, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) ex.getResponseBody().write(answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            answered.incrementAndGet();
        }
    }

    /** The base URL ({@code http://127.0.0.1:<port>}). */
    String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    void answerWith(int status) {
        this.status = status;
    }

    void delay(long millis) {
        this.delayMillis = millis;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Requests answered (or given up) so far. */
    int answered() {
        return answered.get();
    }

    /** Every log record of every request, in arrival order. */
    List<io.opentelemetry.proto.logs.v1.LogRecord> logRecords() {
        return requests.stream().flatMap(r -> r.body().getResourceLogsList().stream())
                .flatMap(rl -> rl.getScopeLogsList().stream()).flatMap(sl -> sl.getLogRecordsList().stream()).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
