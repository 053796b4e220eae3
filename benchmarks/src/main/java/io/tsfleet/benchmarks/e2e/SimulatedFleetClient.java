package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.fleet.NodeLease;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Simulated clients of one coordinator over HTTP: node agents that announce their node every announce interval the
 * coordinator answers ({@code PUT /internal/v1/nodes/{name}}), and replicas that heartbeat every heartbeat interval
 * of their directive ({@code POST /internal/v1/replicas/{id}/heartbeat}) and obey it ({@link SimulatedReplica}). Each
 * client is one virtual thread on a fixed schedule with a random phase, so the requests are spread evenly over the
 * interval, as independent processes' would be. Latencies are recorded while {@link #recording} is on.
 */
final class SimulatedFleetClient implements AutoCloseable {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String replicaToken;
    private final String nodeToken;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;
    private volatile boolean recording;
    private final Latencies heartbeats = new Latencies();
    private final Latencies announcements = new Latencies();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final AtomicLong highestGeneration = new AtomicLong();
    private final LongAdder joined = new LongAdder();
    private final LongAdder announced = new LongAdder();

    SimulatedFleetClient(URI base, String replicaToken, String nodeToken) {
        this.base = base;
        this.replicaToken = replicaToken;
        this.nodeToken = nodeToken;
    }

    /** Starts a replica's heartbeat loop; its first heartbeat (its join) goes out within {@code spreadMillis}. */
    void startReplica(SimulatedReplica r, long spreadMillis) {
        URI uri = base.resolve("/internal/v1/replicas/" + r.id() + "/heartbeat");
        boolean[] first = {true};
        start("replica-" + r.id(), spreadMillis, () -> {
            long now = System.currentTimeMillis();
            byte[] body = JSON.writeValueAsBytes(r.heartbeat(now));
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + replicaToken)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            long t0 = System.nanoTime();
            HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            long nanos = System.nanoTime() - t0;
            if (resp.statusCode() != 200) {
                failed("heartbeat-" + resp.statusCode());
                return 2000;
            }
            if (recording) heartbeats.add(nanos);
            ReplicaDirective d = JSON.readValue(resp.body(), ReplicaDirective.class);
            if (first[0]) {
                first[0] = false;
                joined.increment();
            }
            r.apply(d, System.currentTimeMillis());
            highestGeneration.accumulateAndGet(d.generation(), Math::max);
            return d.heartbeatMillis();
        });
    }

    /** Starts a node agent's announcement loop; its first announcement (the join) goes out within {@code spreadMillis}. */
    void startNodeAgent(SyntheticNodes.Node n, long spreadMillis) {
        URI uri = base.resolve("/internal/v1/nodes/" + n.name());
        byte[] body = JSON.writeValueAsBytes(n.announcement());
        boolean[] first = {true};
        start("node-" + n.name(), spreadMillis, () -> {
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + nodeToken)
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            long t0 = System.nanoTime();
            HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            long nanos = System.nanoTime() - t0;
            if (resp.statusCode() != 200) {
                failed("announce-" + resp.statusCode());
                return 2000;
            }
            if (recording) announcements.add(nanos);
            if (first[0]) announced.increment();
            NodeLease lease = JSON.readValue(resp.body(), NodeLease.class);
            if (first[0]) {
                first[0] = false;
                // the next announcements at a random phase of the interval: agents started together spread out
                return ThreadLocalRandom.current().nextLong(1, lease.announceIntervalMillis() + 1);
            }
            return lease.announceIntervalMillis();
        });
    }

    @FunctionalInterface
    private interface Step {
        /** One request; returns the milliseconds until the next one. */
        long run() throws IOException, InterruptedException;
    }

    private void start(String name, long spreadMillis, Step step) {
        long firstAt = System.currentTimeMillis() + (spreadMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(spreadMillis));
        Thread t = Thread.ofVirtual().name(name).start(() -> {
            long next = firstAt;
            while (!stopped) {
                try {
                    long wait = next - System.currentTimeMillis();
                    if (wait > 0) Thread.sleep(wait);
                    if (stopped) return;
                    long interval = step.run();
                    next += interval;
                    // a request that came back late does not make the next ones catch up in a burst
                    next = Math.max(next, System.currentTimeMillis());
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    if (stopped) return;
                    failed(e.getClass().getSimpleName());
                    next = System.currentTimeMillis() + 1000;
                }
            }
        });
        synchronized (threads) {
            threads.add(t);
        }
    }

    private void failed(String what) {
        failures.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    /** Starts or stops recording latencies (and clears them when it starts). */
    void recording(boolean on) {
        if (on) {
            heartbeats.clear();
            announcements.clear();
        }
        recording = on;
    }

    Latencies heartbeatLatencies() {
        return heartbeats;
    }

    Latencies announcementLatencies() {
        return announcements;
    }

    /** Failed requests by kind ({@code heartbeat-409}, {@code announce-503}, an exception's name). */
    Map<String, Long> failures() {
        Map<String, Long> out = new TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    long highestGeneration() {
        return highestGeneration.get();
    }

    /** Replicas whose first heartbeat was answered. */
    long joined() {
        return joined.sum();
    }

    /** Node agents whose first announcement was answered. */
    long announced() {
        return announced.sum();
    }

    @Override
    public void close() {
        stopped = true;
        List<Thread> all;
        synchronized (threads) {
            all = List.copyOf(threads);
        }
        for (Thread t : all) t.interrupt();
        for (Thread t : all) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        http.close();
    }

    /** Request latencies in nanoseconds. */
    static final class Latencies {
        private final List<Long> nanos = new ArrayList<>();

        synchronized void add(long n) {
            nanos.add(n);
        }

        synchronized void clear() {
            nanos.clear();
        }

        synchronized int count() {
            return nanos.size();
        }

        /** The {@code q} quantile (0..1) in milliseconds, NaN when nothing was recorded. */
        synchronized double quantileMillis(double q) {
            if (nanos.isEmpty()) return Double.NaN;
            List<Long> s = new ArrayList<>(nanos);
            s.sort(null);
            int i = (int) Math.min(s.size() - 1, Math.max(0, Math.ceil(q * s.size()) - 1));
            return s.get(i) / 1e6;
        }
    }
}
