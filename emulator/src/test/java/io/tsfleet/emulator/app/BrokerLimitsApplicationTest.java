package io.tsfleet.emulator.app;

import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.broker.CloseReason;
import io.tsfleet.emulator.conformance.BrokerTestClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker settings of {@code tsfleet.emulator.broker.*} reach the running application's broker: a connection that
 * does not authenticate within {@code auth-timeout} is closed, and the close is counted in the Prometheus metrics.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.emulator.broker.port=0", "tsfleet.emulator.broker.bind-address=127.0.0.1",
        "tsfleet.emulator.broker.token=app-limits-token", "tsfleet.emulator.broker.auth-timeout=400ms",
        "tsfleet.emulator.workload.enabled=false"})
class BrokerLimitsApplicationTest {

    @Autowired
    BrokerServer server;

    @LocalServerPort
    int httpPort;

    @Test
    void anUnauthenticatedConnectionIsClosedAfterTheConfiguredDeadlineAndCounted() throws Exception {
        InetSocketAddress broker = new InetSocketAddress("127.0.0.1", server.port());
        try (BrokerTestClient authenticated = BrokerTestClient.open(broker, "app-limits-token"); Socket silent = new Socket()) {
            silent.connect(broker);
            silent.setSoTimeout(5_000);
            assertThat(silent.getInputStream().read()).as("closed by the broker").isEqualTo(-1);
            assertThat(server.stats().closed(CloseReason.AUTH_TIMEOUT)).isEqualTo(1);
            assertThat(authenticated.sockInfo()).as("the authenticated client is served").isNotNull();
        }
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        // every series carries the node label (NodeMetricTag) before its own tags
        assertThat(metrics).containsPattern("tsfleet_broker_connections_closed_total\\{node=\"[^\"]+\",reason=\"auth_timeout\"} 1\\.0")
                .containsPattern("tsfleet_broker_connections_rejected_total\\{node=\"[^\"]+\",reason=\"peer_limit\"} 0\\.0");
    }
}
