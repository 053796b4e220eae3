package io.tsfleet.coordinator.web;

import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.service.CoordinatorService;
import io.tsfleet.emulator.EmulatorApplication;
import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.testing.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real coordinator (over HTTP on a random port) and a real emulator application pointed at it with a node token:
 * the emulated node appears in {@code GET /api/v1/nodes} with its boot id, possible CPUs, broker and delay accounting,
 * and disappears at once - long before its lease would end - when the emulator stops.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.possible-cpus=0-15",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.nodes.lease=5m",
        "tsfleet.coordinator.nodes.announce-interval=1m",
        "tsfleet.coordinator.security.read-tokens=e2e-reader",
        "tsfleet.coordinator.security.node-tokens=e2e-node"})
class NodeAgentEndToEndTest {
    @LocalServerPort
    int port;
    @Autowired
    CoordinatorService service;
    @Autowired
    InMemoryAssignmentStore store;
    @Autowired
    JsonMapper json;

    @BeforeEach
    void empty() {
        service.stop();
        store.clear();
        service.start();
    }

    ConfigurableApplicationContext emulator() {
        return new SpringApplicationBuilder(EmulatorApplication.class).run(
                "--spring.config.name=tsfleet-e2e-emulator",            // not the coordinator's application.yaml on this class path
                "--server.port=0", "--tsfleet.emulator.broker.port=0", "--tsfleet.emulator.broker.bind-address=127.0.0.1",
                "--tsfleet.emulator.workload.enabled=false", "--tsfleet.emulator.kernel.possible-cpus=0-5",
                "--tsfleet.emulator.node.name=e2e-worker",
                "--tsfleet.emulator.node.coordinator-url=http://127.0.0.1:" + port,
                "--tsfleet.emulator.node.coordinator-token=e2e-node");
    }

    JsonNode nodes() throws IOException {
        RawHttp.Response r = RawHttp.send(port, "GET", "/api/v1/nodes", "e2e-reader", null);
        assertThat(r.status()).isEqualTo(200);
        return json.readTree(r.body());
    }

    JsonNode await(Predicate<JsonNode> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode n = nodes();
        while (!condition.test(n) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            n = nodes();
        }
        assertThat(condition.test(n)).as(what + "; nodes: " + n).isTrue();
        return n;
    }

    @Test
    void theEmulatedNodeAppearsAndDisappearsWhenTheEmulatorStops() throws Exception {
        String bootId;
        int brokerPort;
        try (ConfigurableApplicationContext emulator = emulator()) {
            bootId = emulator.getBean(NodeIdentity.class).bootId();
            brokerPort = emulator.getBean(BrokerServer.class).port();
            JsonNode nodes = await(n -> n.size() == 1, "the node is registered");
            JsonNode node = nodes.get(0);
            assertThat(node.get("name").asString()).isEqualTo("e2e-worker");
            assertThat(node.get("bootId").asString()).isEqualTo(bootId);
            assertThat(node.get("possibleCpus").asString()).isEqualTo("0-5");
            assertThat(node.get("broker").asString()).isEqualTo("e2e-worker:" + brokerPort);
            assertThat(node.get("delayAccounting").asString()).isEqualTo("on");
        }
        long stopped = System.nanoTime();
        await(n -> n.isEmpty(), "the node is gone after the emulator stopped");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopped)).as("withdrawn, not expired (lease 5 min)").isLessThan(10);
        assertThat(service.call(c -> c.audit(10)).getFirst().message()).isEqualTo("node e2e-worker (boot " + bootId + ") withdrawn by its agent");
    }
}
