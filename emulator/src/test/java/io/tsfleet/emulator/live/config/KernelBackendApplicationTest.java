package io.tsfleet.emulator.live.config;

import io.tsfleet.emulator.broker.BrokerBackend;
import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.emulator.live.KernelBackend;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The emulator application with {@code tsfleet.emulator.backend=kernel}: the broker is served by the live kernel, on
 * loopback only (skipped without root/TASKSTATS).
 */
@EnabledIf("io.tsfleet.emulator.live.LiveKernel#available")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.emulator.backend=kernel", "tsfleet.emulator.broker.port=0", "tsfleet.emulator.broker.token=app-test-token",
        "tsfleet.emulator.live.delay-accounting-check-interval=1s", "tsfleet.emulator.node.name=kernel-app-node"})
class KernelBackendApplicationTest {
    /** Stands in for /proc/sys/kernel/task_delayacct (the test must not change the machine's setting). */
    static final Path DELAY_ACCOUNTING;

    static {
        try {
            DELAY_ACCOUNTING = Files.createTempFile("task_delayacct", "");
            Files.writeString(DELAY_ACCOUNTING, "0\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void delayAccountingFile(DynamicPropertyRegistry registry) {
        registry.add("tsfleet.emulator.live.delay-accounting-file", DELAY_ACCOUNTING::toString);
    }

    @AfterAll
    static void removeFile() throws IOException {
        Files.deleteIfExists(DELAY_ACCOUNTING);
    }

    @LocalServerPort
    int httpPort;

    private String get(String path) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            return r.body();
        }
    }

    @Test
    void theDelayAccountingSwitchIsAGaugeAndAnInfoDetailWithTheRemedy() throws Exception {
        assertThat(get("/actuator/prometheus")).containsPattern("(?m)^tsfleet_broker_delay_accounting_enabled(\\{[^}]*\\})? 0\\.0$")
                // the node's series carry its name (NodeMetricTag), the kernel backend's own as much as the broker's
                .containsPattern("(?m)^tsfleet_broker_delay_accounting_enabled\\{node=\"kernel-app-node\"} 0\\.0$")
                .containsPattern("(?m)^tsfleet_broker_kernel_sockets\\{node=\"kernel-app-node\"} ");
        assertThat(get("/actuator/info")).contains("\"delayAccounting\":{\"enabled\":false,\"state\":\"disabled\"",
                "sysctl -w kernel.task_delayacct=1");
        Files.writeString(DELAY_ACCOUNTING, "1\n"); // turned on while running: seen at the next check
        long deadline = System.nanoTime() + 15_000_000_000L;
        String prom = get("/actuator/prometheus");
        while (!java.util.regex.Pattern.compile("(?m)^tsfleet_broker_delay_accounting_enabled(\\{[^}]*\\})? 1\\.0$").matcher(prom).find()) {
            assertThat(System.nanoTime()).as("the gauge turns 1 after the file does").isLessThan(deadline);
            Thread.sleep(100);
            prom = get("/actuator/prometheus");
        }
        assertThat(prom).containsPattern("(?m)^tsfleet_broker_delay_accounting_enabled(\\{[^}]*\\})? 1\\.0$");
        assertThat(get("/actuator/info")).contains("\"delayAccounting\":{\"enabled\":true").doesNotContain("remedy");
    }

    @Autowired
    BrokerBackend backend;

    @Autowired
    BrokerServer server;

    @Value("${tsfleet.emulator.broker.bind-address}")
    String bindAddress;

    @Autowired
    ApplicationContext context;

    @Test
    void everyConnectionLearnsTheConfiguredNodeAndTheKernelsBootId() throws Exception {
        String bootId = Files.readString(io.tsfleet.emulator.live.LiveSystem.BOOT_ID).trim();
        try (BrokerTestClient c = BrokerTestClient.open(new InetSocketAddress("127.0.0.1", server.port()), "app-test-token")) {
            assertThat(c.client().node()).isEqualTo("kernel-app-node");
            assertThat(c.client().bootId()).isEqualTo(bootId);
            assertThat(c.client().seqEpoch()).isEqualTo(SockProtocol.seqEpochOf(java.util.UUID.fromString(bootId)));
        }
        assertThat(context.getBean(io.tsfleet.emulator.broker.NodeIdentity.class))
                .isEqualTo(new io.tsfleet.emulator.broker.NodeIdentity("kernel-app-node", bootId));
    }

    @Test
    void theEmulatedMachineAndItsControllersAreAbsent() {
        assertThat(context.getBeanNamesForType(io.tsfleet.emulator.emulated.kernel.EmulatedKernel.class)).isEmpty();
        assertThat(context.getBeansWithAnnotation(RestController.class).values())
                .noneMatch(bean -> bean.getClass().getPackageName().startsWith("io.tsfleet.emulator"));
    }

    @Test
    void theBrokerIsServedByTheLiveKernelOnLoopback() throws Exception {
        assertThat(backend).isInstanceOf(KernelBackend.class);
        assertThat(bindAddress).isEqualTo("127.0.0.1");
        try (BrokerTestClient c = BrokerTestClient.open(new InetSocketAddress("127.0.0.1", server.port()), "app-test-token")) {
            assertThat(c.taskstatsFamily()).isEqualTo(((KernelBackend) backend).taskstatsFamily().id());
            assertThat(c.resolve(SockProtocol.FAMILY_NAME)).isEqualTo(((KernelBackend) backend).sockFamilyId());
            var register = MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).string(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, "0")
                    .build(c.taskstatsFamily(), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, 0);
            assertThat(c.request(register).errno()).isZero();
        }
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream()).filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
        if (external.isPresent()) {
            try (Socket s = new Socket()) {
                InetSocketAddress outside = new InetSocketAddress(external.get(), server.port());
                assertThatThrownBy(() -> s.connect(outside, 1000)).as("the broker must not listen on %s", outside).isInstanceOf(IOException.class);
            }
        }
    }
}
