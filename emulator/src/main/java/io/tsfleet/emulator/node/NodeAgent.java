package io.tsfleet.emulator.node;

import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.protocol.fleet.NodeLease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Announces this node to the coordinator and keeps its lease: the first announcement at {@link #start()}, then one
 * every announce interval the coordinator answers ({@link NodeLease}); a failed one (unreachable, timeout, refusal) is
 * retried after a backoff that doubles up to {@link NodeAgentSettings#maxBackoff()}. A failure is logged once per kind
 * of failure (and the recovery once), every failure is counted ({@link NodeAgentStats}). {@link #close()} withdraws the
 * node ({@code DELETE}), so that the coordinator drops it at once instead of a lease later.
 *
 * <p>The announcement is taken anew every time (the delay-accounting switch may change); the node's name in it names
 * the lease. So is the token ({@link NodeAgentToken}): a token file is read again before every request, so a rotated
 * projected service-account token is used from the next announcement on; a token file that cannot be read fails the
 * attempt like a refusal (counted, retried with backoff, nothing sent).
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

    private final NodeAgentSettings settings;
    private final Supplier<NodeAnnouncement> announcement;
    private final HttpClient http;
    private final JsonMapper json;
    private final Clock clock;
    private final NodeAgentStats stats;
    private final ScheduledExecutorService scheduler;

    /** Touched by the scheduler's one thread only. */
    private int consecutiveFailures;
    private String lastFailure;
    private Duration interval;
    private volatile boolean closed;

    public NodeAgent(NodeAgentSettings settings, Supplier<NodeAnnouncement> announcement, HttpClient http, JsonMapper json, Clock clock,
                     NodeAgentStats stats) {
        this.settings = settings;
        this.announcement = announcement;
        this.http = http;
        this.json = json;
        this.clock = clock;
        this.stats = stats;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-agent");
            t.setDaemon(true);
            return t;
        });
    }

    /** A JDK HTTP client for the agent: connect timeout, HTTP/1.1, no redirects. */
    public static HttpClient httpClient(NodeAgentSettings settings) {
        return HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Announces now, then keeps announcing. */
    public void start() {
        log.info("announcing node {} to {} with {} (lease renewed every announce interval the coordinator answers)", announcement.get().nodeName(),
                settings.coordinator(), settings.token().describe());
        scheduler.execute(this::announceAndReschedule);
    }

    private void announceAndReschedule() {
        if (closed) return;
        Duration next;
        try {
            NodeLease lease = announceOnce();
            interval = intervalOf(lease);
            if (consecutiveFailures > 0) log.info("node announced to {} again after {} failed attempts", settings.coordinator(), consecutiveFailures);
            consecutiveFailures = 0;
            lastFailure = null;
            next = interval;
        } catch (AnnounceFailedException e) {
            stats.failed();
            consecutiveFailures++;
            if (!e.getMessage().equals(lastFailure)) {
                log.warn("cannot announce the node to {}: {} (retrying with backoff; logged again only when the failure changes)",
                        settings.coordinator(), e.getMessage());
                lastFailure = e.getMessage();
            }
            next = backoff(consecutiveFailures);
        } catch (RuntimeException e) {
            stats.failed();
            consecutiveFailures++;
            log.error("node announcement failed unexpectedly", e);
            next = backoff(consecutiveFailures);
        }
        if (!closed) {
            try {
                scheduler.schedule(this::announceAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // closed meanwhile
            }
        }
    }

    /** One announcement; answers the lease. */
    NodeLease announceOnce() throws AnnounceFailedException {
        NodeAnnouncement a = announcement.get();
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.nodeUri(a.nodeName())).timeout(settings.requestTimeout())
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(a), StandardCharsets.UTF_8));
        HttpResponse<String> response = send(request);
        if (response.statusCode() != 200) throw new AnnounceFailedException("the coordinator answered " + response.statusCode() + problemTitle(response));
        NodeLease lease;
        try {
            lease = json.readValue(response.body(), NodeLease.class);
        } catch (JacksonException e) {
            throw new AnnounceFailedException("the coordinator's answer is not a node lease");
        }
        if (lease == null || lease.leaseMillis() <= 0 || lease.announceIntervalMillis() <= 0) {
            throw new AnnounceFailedException("the coordinator's answer is not a node lease");
        }
        stats.announced(clock.instant().plusMillis(lease.leaseMillis()));
        return lease;
    }

    /** Stops announcing and withdraws the node (one attempt, within the request timeout). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String name = announcement.get().nodeName();
        try {
            HttpResponse<String> r = send(HttpRequest.newBuilder(settings.nodeUri(name)).timeout(settings.requestTimeout()).DELETE());
            if (r.statusCode() / 100 == 2) {
                stats.withdrawn();
                log.info("node {} withdrawn from {}", name, settings.coordinator());
            } else {
                stats.failed();
                log.warn("could not withdraw node {} from {}: the coordinator answered {}{}; it drops the node when its lease expires", name,
                        settings.coordinator(), r.statusCode(), problemTitle(r));
            }
        } catch (AnnounceFailedException e) {
            stats.failed();
            log.warn("could not withdraw node {} from {}: {}; it drops the node when its lease expires", name, settings.coordinator(), e.getMessage());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws AnnounceFailedException {
        try {
            Optional<String> token = settings.token().current();
            token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        } catch (NodeAgentToken.UnreadableTokenException e) {
            throw new AnnounceFailedException(e.getMessage());
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.net.http.HttpTimeoutException e) {
            throw new AnnounceFailedException("no answer within " + settings.requestTimeout().toMillis() + " ms");
        } catch (java.net.ConnectException e) {
            throw new AnnounceFailedException("connection refused or unreachable");
        } catch (IOException e) {
            throw new AnnounceFailedException("I/O error: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AnnounceFailedException("interrupted");
        }
    }

    /** The problem detail's title, when the answer is one (its detail varies; the title names the kind of refusal). */
    private String problemTitle(HttpResponse<String> response) {
        try {
            var node = json.readTree(response.body());
            if (node != null && node.has("title")) return " (" + node.get("title").asString() + ")";
        } catch (RuntimeException ignored) {
            // not JSON
        }
        return "";
    }

    private Duration intervalOf(NodeLease lease) {
        Duration d = Duration.ofMillis(lease.announceIntervalMillis());
        if (d.compareTo(NodeAgentSettings.MIN_INTERVAL) < 0) return NodeAgentSettings.MIN_INTERVAL;
        return d.compareTo(NodeAgentSettings.MAX_INTERVAL) > 0 ? NodeAgentSettings.MAX_INTERVAL : d;
    }

    /** retryBackoff x 2^(failures-1), at most maxBackoff, and never longer than the announce interval once one is known. */
    Duration backoff(int failures) {
        Duration max = settings.maxBackoff();
        if (interval != null && interval.compareTo(max) < 0) max = interval;
        Duration d = settings.retryBackoff();
        for (int i = 1; i < failures && d.compareTo(max) < 0; i++) d = d.multipliedBy(2);
        return d.compareTo(max) > 0 ? max : d;
    }

    /** An announcement or withdrawal that did not work; the message names the kind of failure (no varying detail). */
    static final class AnnounceFailedException extends Exception {
        AnnounceFailedException(String message) {
            super(message);
        }
    }
}
