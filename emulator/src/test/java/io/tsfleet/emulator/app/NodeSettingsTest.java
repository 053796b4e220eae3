package io.tsfleet.emulator.app;

import io.tsfleet.emulator.EmulatorApplication;
import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code tsfleet.emulator.node.name} names the emulated node (its host's name when unset), its boot id is the one its
 * kernel drew, every metric carries the name as its {@code node} label, and a name Kubernetes would not accept stops
 * the start with a message that names the setting.
 */
class NodeSettingsTest {

    private static ConfigurableApplicationContext start(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--server.port=0";
        all[1] = "--tsfleet.emulator.broker.port=0";
        all[2] = "--tsfleet.emulator.broker.bind-address=127.0.0.1";
        all[3] = "--tsfleet.emulator.workload.enabled=false";
        System.arraycopy(args, 0, all, 4, args.length);
        return new SpringApplicationBuilder(EmulatorApplication.class).run(all);
    }

    @Test
    void theEmulatedNodeHasItsConfiguredNameAndItsKernelsBootId() throws Exception {
        try (ConfigurableApplicationContext ctx = start("--tsfleet.emulator.node.name=worker-7.zone-b")) {
            NodeIdentity node = ctx.getBean(NodeIdentity.class);
            assertThat(node.name()).isEqualTo("worker-7.zone-b");
            assertThat(node.bootId()).isEqualTo(ctx.getBean(EmulatedKernel.class).bootId().toString());
            // and what every broker connection learns from TSFLEET_SOCK, over TCP
            try (BrokerTestClient c = BrokerTestClient.open(new InetSocketAddress("127.0.0.1", ctx.getBean(BrokerServer.class).port()), null)) {
                assertThat(c.client().node()).isEqualTo("worker-7.zone-b");
                assertThat(c.client().bootId()).isEqualTo(node.bootId());
                assertThat(c.client().seqEpoch()).isEqualTo(node.seqEpoch());
            }
        }
    }

    @Test
    void everySeriesOfTheEmulatorCarriesItsNodeAsTheNodeLabel() throws Exception {
        try (ConfigurableApplicationContext ctx = start("--tsfleet.emulator.node.name=worker-7.zone-b")) {
            int port = Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.server.port"));
            RawHttp.Response metrics = RawHttp.send(RawHttp.loopback(), port, "GET", "/actuator/prometheus", null);
            assertThat(metrics.status()).isEqualTo(200);
            List<String> samples = metrics.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
            assertThat(samples).as("the broker's series").anyMatch(l -> l.startsWith("tsfleet_broker_exits_total{"))
                    .anyMatch(l -> l.startsWith("tsfleet_broker_delay_accounting_enabled{"))
                    .anyMatch(l -> l.startsWith("tsfleet_broker_events_dropped_total{"));
            // one value per process, whatever the meter: the broker's, the kernel's, the JVM's
            assertThat(samples).hasSizeGreaterThan(20).allSatisfy(l -> assertThat(l).contains("node=\"worker-7.zone-b\""));
        }
    }

    @Test
    void withoutANameTheNodeIsNamedAfterItsHost() {
        try (ConfigurableApplicationContext ctx = start()) {
            assertThat(ctx.getBean(NodeIdentity.class).name()).isEqualTo(NodeIdentity.defaultName());
        }
    }

    @Test
    void eachStartIsANewBoot() {
        String first;
        try (ConfigurableApplicationContext ctx = start()) {
            first = ctx.getBean(NodeIdentity.class).bootId();
        }
        try (ConfigurableApplicationContext ctx = start()) {
            assertThat(ctx.getBean(NodeIdentity.class).bootId()).isNotEqualTo(first);
        }
    }

    @Test
    void aNameKubernetesWouldRefuseStopsTheStart() {
        assertThatThrownBy(() -> start("--tsfleet.emulator.node.name=Worker_1").close())
                .hasStackTraceContaining("tsfleet.emulator.node.name must be a DNS subdomain");
    }
}
