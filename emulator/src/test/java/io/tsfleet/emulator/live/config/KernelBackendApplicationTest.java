package io.tsfleet.emulator.live.config;

import io.tsfleet.emulator.broker.BrokerBackend;
import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.emulator.live.KernelBackend;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
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
        "tsfleet.emulator.backend=kernel", "tsfleet.emulator.broker.port=0", "tsfleet.emulator.broker.token=app-test-token"})
class KernelBackendApplicationTest {

    @Autowired
    BrokerBackend backend;

    @Autowired
    BrokerServer server;

    @Value("${tsfleet.emulator.broker.bind-address}")
    String bindAddress;

    @Autowired
    ApplicationContext context;

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
