package io.tsfleet.emulator.node;

import io.micrometer.core.instrument.MeterRegistry;
import io.tsfleet.emulator.EmulatorApplication;
import io.tsfleet.emulator.app.MetricNames;
import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The emulator application with {@code tsfleet.emulator.node.coordinator-url}: it announces its node (the emulated
 * kernel's possible CPUs, the broker's bound port, delay accounting on) and withdraws it when the application stops;
 * without the URL there is no agent; a bad advertised broker stops the start with the setting's name.
 */
class NodeAgentApplicationTest {
    final JsonMapper json = JsonMapper.builder().build();

    static ConfigurableApplicationContext start(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "--server.port=0";
        all[1] = "--tsfleet.emulator.broker.port=0";
        all[2] = "--tsfleet.emulator.broker.bind-address=127.0.0.1";
        all[3] = "--tsfleet.emulator.workload.enabled=false";
        all[4] = "--tsfleet.emulator.kernel.possible-cpus=0-11";
        System.arraycopy(args, 0, all, 5, args.length);
        return new SpringApplicationBuilder(EmulatorApplication.class).run(all);
    }

    @Test
    void theEmulatedNodeIsAnnouncedAndWithdrawnWhenTheApplicationStops() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(30_000, 60_000)) {
            int brokerPort;
            String bootId;
            try (ConfigurableApplicationContext ctx = start("--tsfleet.emulator.node.name=worker-7", "--tsfleet.emulator.node.zone=eu-west-1a",
                    "--tsfleet.emulator.node.coordinator-url=" + coordinator.uri() + "/", "--tsfleet.emulator.node.coordinator-token=agent-token")) {
                brokerPort = ctx.getBean(BrokerServer.class).port();
                bootId = ctx.getBean(NodeIdentity.class).bootId();
                FakeCoordinator.Request put = coordinator.requests.poll(5, TimeUnit.SECONDS);
                assertThat(put).isNotNull();
                assertThat(put.method()).isEqualTo("PUT");
                assertThat(put.path()).isEqualTo("/internal/v1/nodes/worker-7");
                assertThat(put.authorization()).isEqualTo("Bearer agent-token");
                assertThat(json.readValue(put.body(), NodeAnnouncement.class))
                        .isEqualTo(new NodeAnnouncement("worker-7", bootId, "0-11", "worker-7:" + brokerPort, NodeAnnouncement.ON, "eu-west-1a"));
                MeterRegistry meters = ctx.getBean(MeterRegistry.class);
                NodeAgentTest.awaitTrue(() -> meters.get(MetricNames.NODE_ANNOUNCEMENTS).functionCounter().count() == 1);
                assertThat(meters.get(MetricNames.NODE_ANNOUNCEMENTS).functionCounter().count()).isEqualTo(1);
                assertThat(meters.get(MetricNames.NODE_REGISTERED).gauge().value()).isEqualTo(1);
            }
            FakeCoordinator.Request delete = coordinator.requests.poll(5, TimeUnit.SECONDS);
            assertThat(delete).isNotNull();
            assertThat(delete.method()).isEqualTo("DELETE");
            assertThat(delete.path()).isEqualTo("/internal/v1/nodes/worker-7");
        }
    }

    @Test
    void anAdvertisedBrokerIsSentAsConfigured() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(30_000, 60_000);
             ConfigurableApplicationContext ctx = start("--tsfleet.emulator.node.name=worker-8",
                     "--tsfleet.emulator.node.coordinator-url=" + coordinator.uri(), "--tsfleet.emulator.node.advertised-broker=10.1.2.3:7411")) {
            FakeCoordinator.Request put = coordinator.requests.poll(5, TimeUnit.SECONDS);
            assertThat(put).isNotNull();
            assertThat(put.authorization()).as("no token configured, none sent").isNull();
            assertThat(json.readValue(put.body(), NodeAnnouncement.class).advertisedBroker()).isEqualTo("10.1.2.3:7411");
        }
    }

    @Test
    void withoutACoordinatorUrlThereIsNoAgent() {
        try (ConfigurableApplicationContext ctx = start()) {
            assertThat(ctx.getBeansOfType(NodeAgentStats.class)).isEmpty();
        }
    }

    @Test
    void badAgentSettingsStopTheStartWithTheSettingsName() {
        assertThatThrownBy(() -> start("--tsfleet.emulator.node.coordinator-url=http://c:8080", "--tsfleet.emulator.node.advertised-broker=worker-1").close())
                .hasStackTraceContaining("tsfleet.emulator.node.advertised-broker must be host:port");
        assertThatThrownBy(() -> start("--tsfleet.emulator.node.coordinator-url=ftp://c").close())
                .hasStackTraceContaining("tsfleet.emulator.node.coordinator-url must be an http or https URL");
        assertThatThrownBy(() -> start("--tsfleet.emulator.node.coordinator-url=http://c:8080", "--tsfleet.emulator.node.zone=zone a").close())
                .hasStackTraceContaining("tsfleet.emulator.node.zone must be a Kubernetes label value");
    }

    @Test
    void aTokenFileIsSentAndReadAgainBeforeTheNextAnnouncement(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("coordinator-token");
        java.nio.file.Files.writeString(file, "projected-1\n");
        try (FakeCoordinator coordinator = new FakeCoordinator(30_000, 300);
             ConfigurableApplicationContext ctx = start("--tsfleet.emulator.node.name=worker-9",
                     "--tsfleet.emulator.node.coordinator-url=" + coordinator.uri(), "--tsfleet.emulator.node.coordinator-token-file=" + file)) {
            FakeCoordinator.Request first = coordinator.requests.poll(5, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(first.authorization()).isEqualTo("Bearer projected-1");
            NodeAgentTest.rotate(file, "projected-2");
            FakeCoordinator.Request second = coordinator.requests.poll(5, TimeUnit.SECONDS);
            assertThat(second).isNotNull();
            assertThat(second.authorization()).isEqualTo("Bearer projected-2");
        }
    }

    @Test
    void aTokenAndATokenFileAreExclusiveAndAMissingFileStopsTheStart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("t"), "x");
        assertThatThrownBy(() -> start("--tsfleet.emulator.node.coordinator-url=http://127.0.0.1:1", "--tsfleet.emulator.node.coordinator-token=a",
                "--tsfleet.emulator.node.coordinator-token-file=" + file).close())
                .hasStackTraceContaining("set at most one of tsfleet.emulator.node.coordinator-token and tsfleet.emulator.node.coordinator-token-file");
        assertThatThrownBy(() -> start("--tsfleet.emulator.node.coordinator-url=http://127.0.0.1:1",
                "--tsfleet.emulator.node.coordinator-token-file=" + dir.resolve("absent")).close())
                .hasStackTraceContaining("tsfleet.emulator.node.coordinator-token-file " + dir.resolve("absent") + " cannot be read");
    }
}
