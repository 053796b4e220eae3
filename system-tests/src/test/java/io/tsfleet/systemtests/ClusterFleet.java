package io.tsfleet.systemtests;

import io.tsfleet.protocol.client.BrokerClient;
import org.testcontainers.containers.GenericContainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A cluster fleet in containers: several emulated nodes, each its own emulator container (network alias = node name,
 * its node agent announcing the node with the node token and {@code <name>:7411} as the broker replicas dial), the
 * coordinator in cluster mode (node tokens, no {@code possible-cpus}: its slots are the announced nodes' CPUs), and
 * listener replicas without {@code tsfleet.listener.broker}, which dial the brokers the coordinator names.
 */
final class ClusterFleet extends ContainerFleet {
    static final String NODE_TOKEN = "it-node-token";

    /** An emulated node: its name (also its network alias) and its number of CPUs ({@code 0..cpus-1}). */
    record Node(String name, int cpus) {
        String possible() {
            return "0-" + (cpus - 1);
        }
    }

    /**
     * The fleet's workload and timing.
     *
     * @param baseRate     exits/s per CPU on every node
     * @param lease        the replicas' lease
     * @param nodeLease    the nodes' lease (a restarted emulator that announces within it is a reboot of its node)
     * @param replicaExtra further {@code tsfleet.listener.*} settings
     */
    record Settings(double baseRate, Duration lease, Duration nodeLease, Map<String, String> replicaExtra) {
    }

    private final Settings settings;
    private final GenericContainer<?> coordinator;
    private final Map<String, GenericContainer<?>> nodes = new LinkedHashMap<>();
    private final Map<String, Node> shapes = new LinkedHashMap<>();
    private final Set<String> live = new LinkedHashSet<>();

    ClusterFleet(Settings settings) {
        super(settings.replicaExtra());
        this.settings = settings;
        Duration announce = settings.nodeLease().dividedBy(6);
        this.coordinator = newCoordinator(settings.lease(), List.of(
                "--tsfleet.coordinator.security.node-tokens=" + NODE_TOKEN,
                "--tsfleet.coordinator.nodes.lease=" + settings.nodeLease().toMillis() + "ms",
                "--tsfleet.coordinator.nodes.announce-interval=" + announce.toMillis() + "ms"));
    }

    /**
     * Eight JVMs start on two cores here, and the scenarios' rates (a few hundred records/s) need no optimising
     * compiler: C1 only and the serial collector take a third or so off the start-up CPU time.
     */
    @Override
    String jvmOptions() {
        return "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
    }

    @Override
    List<String> brokerArgs() {
        return List.of(); // no tsfleet.listener.broker: every broker comes from the coordinator's directives
    }

    /** Starts the coordinator and the nodes (in parallel), then the replicas {@code replica-1..}. */
    ClusterFleet start(List<Node> initialNodes, int replicaCount) {
        List<GenericContainer<?>> first = new ArrayList<>(List.of(coordinator));
        for (Node n : initialNodes) first.add(createNode(n));
        first.parallelStream().forEach(GenericContainer::start);
        initialNodes.forEach(n -> live.add(n.name()));
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= replicaCount; i++) ids.add("replica-" + i);
        startReplicas(ids);
        return this;
    }

    private GenericContainer<?> createNode(Node n) {
        GenericContainer<?> c = newEmulator(n.name(), n.possible(), settings.baseRate(), List.of(
                "--tsfleet.emulator.node.name=" + n.name(),
                "--tsfleet.emulator.node.coordinator-url=http://coordinator:8080",
                "--tsfleet.emulator.node.coordinator-token=" + NODE_TOKEN,
                "--tsfleet.emulator.node.advertised-broker=" + n.name() + ":" + BROKER_PORT));
        nodes.put(n.name(), c);
        shapes.put(n.name(), n);
        return c;
    }

    // ------------------------------------------------------------------ nodes joining, leaving, rebooting

    /** A node joins: its emulator starts (and announces it once its broker listens). Returns when it is healthy. */
    void startNode(Node n) {
        createNode(n).start();
        live.add(n.name());
    }

    /** A node leaves: SIGTERM to its emulator, whose node agent withdraws the node before the broker closes. */
    void stopNode(String name, Duration grace) {
        docker.stopContainerCmd(nodes.get(name).getContainerId()).withTimeout((int) grace.toSeconds()).exec();
        live.remove(name);
    }

    /** The node's machine dies ({@code kill -9}): no withdrawal; the coordinator keeps the node for its lease. */
    void killNode(String name) {
        kill(nodes.get(name));
    }

    /** The killed node's emulator starts again: a new emulated kernel with a new boot id, announced by its agent. */
    void startNodeAgain(String name) {
        startAgain(nodes.get(name));
    }

    /** The nodes started and not stopped, in start order. */
    List<String> liveNodes() {
        return List.copyOf(live);
    }

    Node node(String name) {
        return shapes.get(name);
    }

    // ------------------------------------------------------------------ addresses

    /** The node emulator's HTTP API, looked up again each time: a restarted container gets a new host port. */
    String nodeUrl(String name) {
        return "http://localhost:" + hostPort(nodes.get(name), EMULATOR_HTTP);
    }

    String coordinatorUrl() {
        return "http://localhost:" + hostPort(coordinator, 8080);
    }

    /**
     * The node's current boot id as its own broker tells it: a {@code TSFLEET_SOCK CMD_GET} handshake over the broker's
     * published port, the same one every replica makes (the node name it reports must be the node's).
     */
    String bootId(String name) {
        InetSocketAddress at = new InetSocketAddress("localhost", hostPort(nodes.get(name), BROKER_PORT));
        try (BrokerClient c = BrokerClient.connect(at, Duration.ofSeconds(3), 4096, 0, 1 << 16)) {
            c.handshake(BROKER_TOKEN, 0, false, () -> { });
            if (!name.equals(c.node())) throw new IllegalStateException("the broker of node " + name + " says it serves " + c.node());
            return c.bootId();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot ask the broker of node " + name + " for its boot", e);
        }
    }

    @Override
    void stopOthers() {
        Stream.concat(nodes.values().stream(), Stream.of(coordinator)).forEach(GenericContainer::stop);
    }
}
