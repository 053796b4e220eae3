package io.tsfleet.benchmarks.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A small HTTP client for the services' control APIs and metrics (JDK client, JSON bodies as strings). */
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
}
