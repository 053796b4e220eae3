package io.tsfleet.systemtests;

import io.tsfleet.testing.Http;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * What every fleet in containers has: one Docker network, emulators and a coordinator made from the production images
 * with the test's timing, listener replicas ({@code replica-N}) with JSON-lines sinks (or the sink the fleet's
 * {@code replicaExtra} names), the faults the scenarios inject,
 * and the readers of the replicas' sinks and of the processes' logs. {@link Fleet} is the fleet of one emulated machine
 * (a static fleet), {@link ClusterFleet} a fleet of several emulated nodes. Containers that are stopped or killed stay
 * until {@link #close()}, so their sinks can still be read.
 */
abstract class ContainerFleet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerFleet.class);
    private static final Path LOG_DIR = Path.of("target", "fleet-logs");
    static final String ADMIN_TOKEN = "it-admin-token";
    static final String REPLICA_TOKEN = "it-replica-token";
    static final String BROKER_TOKEN = "it-broker-token";
    /** The emulator's control API token: the tests write to it from the host, not from its loopback. */
    static final String EMULATOR_TOKEN = "it-emulator-token";
    static final String SINK = "/tmp/records.jsonl";
    static final int EMULATOR_HTTP = 8081;
    static final int BROKER_PORT = 7411;

    final Network network = Network.newNetwork();
    final DockerClient docker = DockerClientFactory.instance().client();
    private final Map<String, String> replicaExtra;
    private final Map<String, GenericContainer<?>> replicas = new LinkedHashMap<>();

    /** @param replicaExtra further {@code tsfleet.listener.*} settings of every replica */
    ContainerFleet(Map<String, String> replicaExtra) {
        this.replicaExtra = replicaExtra;
    }

    /** The replicas' settings that say which broker they dial (a fixed one, or none: the coordinator names them). */
    abstract List<String> brokerArgs();

    /** JVM options of every container of the fleet ({@code JAVA_TOOL_OPTIONS}); empty: the images' own. */
    String jvmOptions() {
        return "";
    }

    private GenericContainer<?> withJvmOptions(GenericContainer<?> c) {
        return jvmOptions().isEmpty() ? c : c.withEnv("JAVA_TOOL_OPTIONS", jvmOptions());
    }

    // ------------------------------------------------------------------ containers

    /**
     * An emulated machine (network alias {@code alias}) with the given possible CPUs and workload, its broker with the
     * test's token; {@code extra} adds settings (its node, its node agent).
     */
    GenericContainer<?> newEmulator(String alias, String possibleCpus, double baseRate, List<String> extra) {
        List<String> args = new ArrayList<>(List.of(
                "--tsfleet.emulator.kernel.possible-cpus=" + possibleCpus,
                "--tsfleet.emulator.broker.token=" + BROKER_TOKEN,
                "--tsfleet.emulator.api.token=" + EMULATOR_TOKEN,
                // the kernel has no buffer between a listener's receive queue and the listener: keep the
                // broker's TCP send buffer small so that an overflow starts (and is seen) where it would
                "--tsfleet.emulator.broker.tcp-send-buffer-bytes=16384",
                "--tsfleet.emulator.workload.enabled=true",
                "--tsfleet.emulator.workload.base-rate=" + baseRate));
        args.addAll(extra);
        GenericContainer<?> c = new GenericContainer<>(FleetImages.image("emulator"))
                .withNetwork(network).withNetworkAliases(alias)
                .withExposedPorts(EMULATOR_HTTP, BROKER_PORT)
                .withCommand(args.toArray(String[]::new))
                .waitingFor(Wait.forHttp("/actuator/health").forPort(EMULATOR_HTTP).forStatusCode(200).withStartupTimeout(Duration.ofSeconds(300)));
        withJvmOptions(c);
        log(c, alias);
        return c;
    }

    /** The coordinator (alias {@code coordinator}) with the test's tokens and timing; {@code mode} says which slots it has. */
    GenericContainer<?> newCoordinator(Duration lease, List<String> mode) {
        List<String> args = new ArrayList<>(mode);
        args.addAll(List.of(
                "--tsfleet.coordinator.security.admin-tokens=" + ADMIN_TOKEN,
                "--tsfleet.coordinator.security.replica-tokens=" + REPLICA_TOKEN,
                "--tsfleet.coordinator.state-file=/tmp/coordinator-state.json",
                "--tsfleet.coordinator.lease=" + lease.toMillis() + "ms",
                "--tsfleet.coordinator.heartbeat-interval=500ms",
                "--tsfleet.coordinator.tick-interval=250ms",
                "--tsfleet.coordinator.policy.overflow-sustain=1s",
                "--tsfleet.coordinator.policy.cooldown=15s",
                "--tsfleet.coordinator.policy.load-warmup=5s"));
        GenericContainer<?> c = new GenericContainer<>(FleetImages.image("coordinator"))
                .withNetwork(network).withNetworkAliases("coordinator")
                .withExposedPorts(8080)
                .withCommand(args.toArray(String[]::new))
                .waitingFor(Wait.forHttp("/actuator/health").forPort(8080).forStatusCode(200).withStartupTimeout(Duration.ofSeconds(300)));
        withJvmOptions(c);
        log(c, "coordinator");
        return c;
    }

    void startReplica(String id) {
        startReplicas(List.of(id));
    }

    /** Starts these replicas (in parallel) and waits until each is live. */
    void startReplicas(List<String> ids) {
        List<GenericContainer<?>> created = new ArrayList<>();
        for (String id : ids) {
            List<String> args = new ArrayList<>(List.of("--tsfleet.listener.id=" + id));
            args.addAll(brokerArgs());
            args.addAll(List.of(
                    "--tsfleet.listener.broker-token=" + BROKER_TOKEN,
                    "--tsfleet.listener.coordinator-url=http://coordinator:8080",
                    "--tsfleet.listener.coordinator-token=" + REPLICA_TOKEN));
            if (!replicaExtra.containsKey("tsfleet.listener.sink")) {
                args.addAll(List.of("--tsfleet.listener.sink=jsonl:" + SINK, "--tsfleet.listener.sink-options.max-file-bytes=4294967296"));
            }
            replicaExtra.forEach((k, v) -> args.add("--" + k + "=" + v));
            GenericContainer<?> c = new GenericContainer<>(FleetImages.image("listener-service"))
                    .withNetwork(network).withNetworkAliases(id)
                    .withExposedPorts(8082)
                    .withCommand(args.toArray(String[]::new))
                    .waitingFor(Wait.forHttp("/actuator/health/liveness").forPort(8082).forStatusCode(200)
                            .withStartupTimeout(Duration.ofSeconds(300)));
            withJvmOptions(c);
            log(c, id);
            replicas.put(id, c);
            created.add(c);
        }
        created.parallelStream().forEach(GenericContainer::start);
    }

    // ------------------------------------------------------------------ addresses

    String replicaUrl(String id) {
        return "http://localhost:" + hostPort(replicas.get(id), 8082);
    }

    List<String> replicaIds() {
        return List.copyOf(replicas.keySet());
    }

    /** The host port a container's port is published on now: a restarted container gets a new one. */
    int hostPort(GenericContainer<?> c, int port) {
        Ports.Binding[] b = docker.inspectContainerCmd(c.getContainerId()).exec().getNetworkSettings().getPorts()
                .getBindings().get(ExposedPort.tcp(port));
        if (b == null || b.length == 0) throw new IllegalStateException("port " + port + " of " + c.getContainerId() + " is not published");
        return Integer.parseInt(b[0].getHostPortSpec());
    }

    // ------------------------------------------------------------------ faults

    /** SIGTERM and wait (up to {@code grace}) for the replica to exit on its own. */
    void stopGracefully(String id, Duration grace) {
        docker.stopContainerCmd(replicas.get(id).getContainerId()).withTimeout((int) grace.toSeconds()).exec();
    }

    void kill(String id) {
        kill(replicas.get(id));
    }

    void kill(GenericContainer<?> c) {
        docker.killContainerCmd(c.getContainerId()).withSignal("KILL").exec();
    }

    void startAgain(GenericContainer<?> c) {
        docker.startContainerCmd(c.getContainerId()).exec();
    }

    // ------------------------------------------------------------------ an emulator's ledger and workload

    /** Per possible CPU, the next sequence number the emulator will assign ({@code GET /api/v1/cpus}). */
    Map<Integer, Long> nextSeqs(String emulatorUrl) {
        Map<Integer, Long> out = new TreeMap<>();
        JsonNode page = Http.ok(Http.get(emulatorUrl + "/api/v1/cpus?size=8192", null));
        for (JsonNode c : page.get("items")) out.put(c.get("cpu").asInt(), c.get("nextSeq").asLong());
        return out;
    }

    void workload(String emulatorUrl, Map<String, Object> body) {
        Http.ok(Http.put(emulatorUrl + "/api/v1/workload", EMULATOR_TOKEN, body));
    }

    // ------------------------------------------------------------------ the replicas' sinks

    /**
     * Feeds the record lines of every replica's sink (running, stopped or killed) to {@code lines}, skipping the first
     * {@code skip.get(replica)} lines of each; returns how many lines each sink holds.
     */
    Map<String, Long> readSinks(Map<String, Long> skip, Consumer<String> lines) {
        Map<String, Long> counts = new TreeMap<>();
        for (Map.Entry<String, GenericContainer<?>> e : replicas.entrySet()) {
            String id = e.getValue().getContainerId();
            long[] n = {0};
            long from = skip.getOrDefault(e.getKey(), 0L);
            try (InputStream tar = docker.copyArchiveFromContainerCmd(id, SINK).exec()) {
                SinkArchive.lines(tar, line -> {
                    if (n[0]++ >= from) lines.accept(line);
                });
            } catch (com.github.dockerjava.api.exception.NotFoundException missing) {
                LOG.info("{} has no sink file yet", e.getKey());
            } catch (IOException ex) {
                throw new IllegalStateException("cannot read the sink of " + e.getKey(), ex);
            }
            counts.put(e.getKey(), n[0]);
        }
        return counts;
    }

    /** The sum of a counter or gauge over all its series in a Prometheus text exposition. */
    static double metric(String baseUrl, String name) {
        return metric(baseUrl, name, null);
    }

    /** The sum of a counter or gauge over its series that carry {@code label} (e.g. {@code node="node-a"}; null: all). */
    static double metric(String baseUrl, String name, String label) {
        String text = Http.get(baseUrl + "/actuator/prometheus", null).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            boolean series = line.startsWith(name + "{") || (label == null && line.startsWith(name + " "));
            if (series && (label == null || line.substring(0, line.lastIndexOf('}') + 1).contains(label))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    // ------------------------------------------------------------------ logs

    /**
     * A container's output goes to the test log (WARN and above, through SLF4J) and, whole, to
     * {@code target/fleet-logs/<name>.log}: a window that finds a record missing can then show what the processes said
     * about its CPU ({@link #linesAbout}).
     */
    static void log(GenericContainer<?> c, String name) {
        Path file = LOG_DIR.resolve(name + ".log");
        c.withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("fleet." + name)).withSeparateOutputStreams());
        c.withLogConsumer(frame -> {
            try {
                Files.createDirectories(LOG_DIR);
                Files.writeString(file, frame.getUtf8String(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                LOG.warn("cannot keep the log of {} in {}: {}", name, file, e.toString());
            }
        });
    }

    /** The lines of every process's log (see {@link #log}) that name one of {@code cpus} ("cpu 27:", "CPU 27 "), at most {@code limit}. */
    List<String> linesAbout(java.util.Collection<Integer> cpus, int limit) {
        List<Pattern> patterns = cpus.stream().map(c -> Pattern.compile("(?i)\\bcpus? " + c + "\\b")).toList();
        List<String> out = new ArrayList<>();
        try (var files = Files.list(LOG_DIR)) {
            for (Path f : files.sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (out.size() >= limit) return out;
                    if (patterns.stream().anyMatch(p -> p.matcher(line).find())) out.add(f.getFileName() + ": " + line);
                }
            }
        } catch (IOException e) {
            out.add("(the fleet's logs in " + LOG_DIR + " cannot be read: " + e + ")");
        }
        return out;
    }

    /** Stops the containers other than the replicas (called by {@link #close()} after the replicas, before the network). */
    abstract void stopOthers();

    @Override
    public void close() {
        replicas.values().forEach(GenericContainer::stop);
        stopOthers();
        network.close();
    }
}
