package io.tsfleet.systemtests;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One Apache Kafka node (KRaft, broker and controller in one process) in a container on the fleet's network, from
 * {@link FleetImages#kafkaBroker()}: the replicas reach it as {@code kafka:9092}, the test JVM on the host port Docker
 * publishes for 9094 (written into the container once known, see {@code kafka-broker.sh}). Its outage is a paused
 * container: connections stay open and nothing answers, as with a broker that hangs or a network partition.
 */
final class KafkaBroker implements AutoCloseable {
    static final String VERSION = "4.4.0";
    static final String ALIAS = "kafka";
    static final int FLEET_PORT = 9092;
    private static final int HOST_PORT = 9094;

    private final GenericContainer<?> container;
    private final ContainerFleet fleet;

    /** @param partitions the partitions of a topic the broker creates on a producer's first request */
    KafkaBroker(ContainerFleet fleet, Network network, int partitions) {
        this.fleet = fleet;
        this.container = new GenericContainer<>(FleetImages.kafkaBroker())
                .withNetwork(network).withNetworkAliases(ALIAS)
                .withEnv("KAFKA_INTERNAL", ALIAS + ":" + FLEET_PORT)
                .withEnv("KAFKA_PARTITIONS", Integer.toString(partitions))
                .withExposedPorts(HOST_PORT)
                .waitingFor(Wait.forLogMessage(".*waiting for the external address.*", 1).withStartupTimeout(Duration.ofSeconds(120)));
        ContainerFleet.log(container, "kafka");
    }

    /** Starts the node and waits until it answers from the host. */
    KafkaBroker start() {
        container.start();
        container.copyFileToContainer(Transferable.of(hostBootstrap()), "/tmp/external-address");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            try (Admin admin = admin()) {
                return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
            }
        });
        return this;
    }

    /** What a replica sets as its sink's {@code bootstrap-servers}. */
    String fleetBootstrap() {
        return ALIAS + ":" + FLEET_PORT;
    }

    /** Where the test JVM reaches the node. */
    String hostBootstrap() {
        return "localhost:" + container.getMappedPort(HOST_PORT);
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, hostBootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    /** Creates the topic, unless a producer's first request already had the broker create it (with as many partitions). */
    void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
    }

    /** Freezes the node's processes (docker pause): its connections stay open and nothing answers. */
    void pause() {
        fleet.docker.pauseContainerCmd(container.getContainerId()).exec();
    }

    void unpause() {
        fleet.docker.unpauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void close() {
        container.stop();
    }
}
