package io.tsfleet.testing;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A small HTTP client for the services' control APIs and metrics (JDK client): instances send and receive JSON as
 * strings and throw {@link StatusException} on anything but 2xx; the static helpers take a URL and an optional bearer
 * token, return any status as a {@link Response} and read JSON with {@link #ok}.
 */
public final class Http {
    /** An answer that is not 2xx. */
    public static final class StatusException extends IOException {
        private final int status;

        StatusException(String method, URI uri, int status, String body) {
            super(method + " " + uri + " answered " + status + ": " + abbreviate(body));
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Duration timeout;
    private final String bearerToken;

    public Http(Duration timeout) {
        this(timeout, null);
    }

    public Http(Duration timeout, String bearerToken) {
        this.timeout = timeout;
        this.bearerToken = bearerToken;
    }

    public String get(URI uri) throws IOException, InterruptedException {
        return send("GET", uri, null);
    }

    public String put(URI uri, String json) throws IOException, InterruptedException {
        return send("PUT", uri, json);
    }

    public String post(URI uri, String json) throws IOException, InterruptedException {
        return send("POST", uri, json);
    }

    /** GETs all URIs concurrently, so that the answers describe (nearly) the same moment. */
    public List<String> getAll(List<URI> uris) throws IOException, InterruptedException {
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (URI u : uris) pending.add(client.sendAsync(request("GET", u, null), HttpResponse.BodyHandlers.ofString()));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < uris.size(); i++) {
            HttpResponse<String> r;
            try {
                r = pending.get(i).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw new IOException("GET " + uris.get(i) + " failed: " + e.getCause(), e.getCause());
            }
            if (r.statusCode() / 100 != 2) throw new StatusException("GET", uris.get(i), r.statusCode(), r.body());
            out.add(r.body());
        }
        return out;
    }

    /** Whether GET answers 2xx now (any failure is false). */
    public boolean isUp(URI uri) {
        try {
            HttpResponse<String> r = client.send(request("GET", uri, null), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String send(String method, URI uri, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(request(method, uri, json), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new StatusException(method, uri, r.statusCode(), r.body());
        return r.body();
    }

    private HttpRequest request(String method, URI uri, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
        if (bearerToken != null) b.header("Authorization", "Bearer " + bearerToken);
        if (json != null) b.header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return b.build();
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    /** The JSON mapper of the static helpers. */
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient SHARED = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer of the static helpers: any status, the body as text. */
    public record Response(int status, String body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** GET with an optional bearer token; a failure to connect is an {@link IllegalStateException}. */
    public static Response get(String url, String token) {
        return sendStatic(staticRequest(url, token).GET().build());
    }

    /** PUT of {@code body} as JSON (a String goes as it is, anything else is serialised). */
    public static Response put(String url, String token, Object body) {
        return sendStatic(staticRequest(url, token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body))).build());
    }

    /** POST of {@code body} as JSON ({@code null}: empty). */
    public static Response post(String url, String token, Object body) {
        return sendStatic(staticRequest(url, token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body instanceof String s ? s : JSON.writeValueAsString(body))).build());
    }

    public static Response delete(String url, String token) {
        return sendStatic(staticRequest(url, token).DELETE().build());
    }

    /** The body of a 2xx answer as JSON; anything else is an assertion failure with the answer in the message. */
    public static JsonNode ok(Response r) {
        if (r.status() / 100 != 2) throw new AssertionError("HTTP " + r.status() + ": " + r.body());
        return r.body().isBlank() ? JSON.nullNode() : r.json();
    }

    private static HttpRequest.Builder staticRequest(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b;
    }

    private static Response sendStatic(HttpRequest request) {
        try {
            HttpResponse<String> r = SHARED.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
