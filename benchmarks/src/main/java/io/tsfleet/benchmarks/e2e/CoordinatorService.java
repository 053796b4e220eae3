package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.FreePorts;
import io.tsfleet.testing.ServiceProcess;
import io.tsfleet.testing.Http;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import java.util.UUID;

/**
 * The coordinator ({@code coordinator/target/coordinator.jar}) as a process on a free port, with a fresh admin token
 * (replicas heartbeat with it too) and the in-memory store, so that no state leaks between runs.
 */
public final class CoordinatorService implements AutoCloseable {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final ServiceProcess process;
    private final URI base;
    private final String token;
    private final Http http;

    private CoordinatorService(ServiceProcess process, URI base, String token, Http http) {
        this.process = process;
        this.base = base;
        this.token = token;
        this.http = http;
    }

    public static CoordinatorService start(EmulatorService.Settings s, String possibleCpus, List<String> extraArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--tsfleet.coordinator.possible-cpus=" + possibleCpus));
        args.addAll(extraArgs);
        return start(s, "coordinator", s.listenerJvmArgs(), args);
    }

    /**
     * A coordinator named {@code name} (its log and JFR file) with the given JVM options and arguments: without
     * {@code --tsfleet.coordinator.possible-cpus} it is a cluster fleet whose slots are the nodes that announce themselves.
     */
    public static CoordinatorService start(EmulatorService.Settings s, String name, List<String> jvmArgs, List<String> extraArgs)
            throws IOException, InterruptedException {
        int port = FreePorts.free();
        String token = UUID.randomUUID().toString();
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + port,
                "--tsfleet.coordinator.store=memory",
                "--tsfleet.coordinator.security.admin-tokens=" + token));
        args.addAll(extraArgs);
        List<String> jvm = new ArrayList<>(jvmArgs);
        jvm.addAll(s.profiling().jvmArgs(s.runDir(), name));
        ServiceProcess p = ServiceProcess.startJar(name, s.coordinatorJar(), jvm, args, s.runDir());
        CoordinatorService c = new CoordinatorService(p, URI.create("http://127.0.0.1:" + port), token, new Http(Duration.ofSeconds(30), token));
        try {
            p.awaitHealthy(s.http(), c.base.resolve("/actuator/health/readiness"), s.startTimeout());
        } catch (IOException | InterruptedException | RuntimeException e) {
            p.close();
            throw e;
        }
        return c;
    }

    public URI base() {
        return base;
    }

    public String token() {
        return token;
    }

    public long pid() {
        return process.pid();
    }

    public URI prometheus() {
        return base.resolve("/actuator/prometheus");
    }

    /** {@code GET /api/v1/assignment}. */
    public Assignment assignment() throws IOException, InterruptedException {
        JsonNode a = JSON.readTree(http.get(base.resolve("/api/v1/assignment")));
        Map<String, String> owners = new TreeMap<>();
        a.get("owners").properties().forEach(e -> owners.put(e.getKey(), e.getValue().asString()));
        return new Assignment(a.get("generation").asLong(), owners, a.get("uncoveredCpus").asString(), a.get("handovers").size(),
                a.get("pendingMoves").asInt());
    }

    /** Audit entries (plans, membership changes, anomalies) since {@code since}, oldest first, one line each. */
    public List<String> auditSince(java.time.Instant since) throws IOException, InterruptedException {
        List<JsonNode> entries = new ArrayList<>();
        for (JsonNode e : JSON.readTree(http.get(base.resolve("/api/v1/audit?limit=200")))) {
            if (!java.time.Instant.parse(e.get("time").asString()).isBefore(since)) entries.add(e);
        }
        entries.sort(java.util.Comparator.comparingLong(e -> e.get("sequence").asLong()));
        List<String> out = new ArrayList<>();
        for (JsonNode e : entries) {
            java.time.Instant t = java.time.Instant.parse(e.get("time").asString());
            out.add(String.format(java.util.Locale.ROOT, "+%.1fs gen %d %s%s: %s", Duration.between(since, t).toMillis() / 1000.0,
                    e.get("generation").asLong(), e.get("type").asString(),
                    e.get("replica").isNull() ? "" : " " + e.get("replica").asString(), e.get("message").asString()));
        }
        return out;
    }

    /**
     * The coordinator's view of the assignment.
     *
     * @param owners     committed owner cpulist by replica
     * @param uncovered  CPUs without a live owner (a cpulist, empty when covered)
     * @param handovers  make-before-break handovers in flight
     * @param pending    planned moves not yet started
     */
    public record Assignment(long generation, Map<String, String> owners, String uncovered, int handovers, int pending) {
        public boolean settled() {
            return uncovered.isEmpty() && handovers == 0 && pending == 0;
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
