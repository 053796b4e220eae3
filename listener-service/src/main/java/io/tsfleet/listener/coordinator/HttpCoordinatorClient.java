package io.tsfleet.listener.coordinator;

import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code POST {coordinator-url}/internal/v1/replicas/{id}/heartbeat} with the heartbeat as JSON and
 * {@code Authorization: Bearer <token>} (the {@link CoordinatorToken} of the moment: fixed, or re-read from a file); a 200 answer carries the {@link ReplicaDirective} as JSON, a 204
 * carries none. Anything else is a {@link HeartbeatFailedException} (with the answer's body, an RFC 9457 problem, in the
 * message).
 */
public final class HttpCoordinatorClient implements CoordinatorClient {
    private final HttpClient http;
    private final JsonMapper json;
    private final URI endpoint;
    private final CoordinatorToken token;
    private final Duration timeout;

    public HttpCoordinatorClient(URI coordinatorUrl, String replicaId, String token, Duration timeout, JsonMapper json) {
        this(coordinatorUrl, replicaId, CoordinatorToken.fixed(token), timeout, json);
    }

    public HttpCoordinatorClient(URI coordinatorUrl, String replicaId, CoordinatorToken token, Duration timeout, JsonMapper json) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        this.json = json;
        String base = coordinatorUrl.toString().replaceAll("/+$", "");
        this.endpoint = URI.create(base + "/internal/v1/replicas/" + URLEncoder.encode(replicaId, StandardCharsets.UTF_8).replace("+", "%20") + "/heartbeat");
        this.token = token;
        this.timeout = timeout;
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public ReplicaDirective heartbeat(ReplicaHeartbeat heartbeat) throws HeartbeatFailedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(heartbeat)));
        String bearer = token.current();
        if (bearer != null && !bearer.isEmpty()) req.header("Authorization", "Bearer " + bearer);
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new HeartbeatFailedException("coordinator " + endpoint + " unreachable: " + e, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeartbeatFailedException("interrupted while sending a heartbeat", 0, e);
        }
        if (resp.statusCode() == 204) return null;
        if (resp.statusCode() != 200) {
            String body = new String(resp.body(), StandardCharsets.UTF_8);
            if (body.length() > 500) body = body.substring(0, 500) + "...";
            throw new HeartbeatFailedException("coordinator answered " + resp.statusCode() + ": " + body, resp.statusCode(), null);
        }
        try {
            return json.readValue(resp.body(), ReplicaDirective.class);
        } catch (JacksonException e) {
            throw new HeartbeatFailedException("coordinator answered 200 with an unreadable directive: " + e.getOriginalMessage(), 200, e);
        }
    }
}
