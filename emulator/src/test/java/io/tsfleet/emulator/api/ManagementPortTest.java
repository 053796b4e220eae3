package io.tsfleet.emulator.api;

import io.tsfleet.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code management.server.port} (as the Helm chart sets it) the actuator is on its own port, so a NetworkPolicy
 * can open metrics and probes without the control API; the same rules hold there (deny by default).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.emulator.broker.port=0", "tsfleet.emulator.workload.base-rate=0", "tsfleet.emulator.kernel.possible-cpus=0-3",
        "tsfleet.emulator.kernel.nr-cpus=8", "management.server.port=0", "tsfleet.emulator.api.token=t"})
class ManagementPortTest {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Test
    void metricsAndProbesAreOnTheManagementPortAndTheControlApiIsNot() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        for (String path : new String[] {"/actuator/health/liveness", "/actuator/health/readiness", "/actuator/prometheus"}) {
            assertThat(RawHttp.send(RawHttp.loopback(), managementPort, "GET", path, null).status()).as(path).isEqualTo(200);
        }
        assertThat(RawHttp.send(RawHttp.loopback(), managementPort, "GET", "/actuator/prometheus", null).body()).contains("tsfleet_broker_exits_total");
        assertThat(RawHttp.send(RawHttp.loopback(), managementPort, "GET", "/api/v1/cpus", null).status()).isIn(403, 404);
        assertThat(RawHttp.send(RawHttp.loopback(), managementPort, "POST", "/api/v1/exits", "{\"cpu\":0}").status()).isIn(401, 404);
        assertThat(RawHttp.send(RawHttp.loopback(), managementPort, "GET", "/actuator/env", null).status()).isEqualTo(403);
        assertThat(RawHttp.send(RawHttp.loopback(), managementPort, "GET", "/actuator;x/prometheus", null).status()).isEqualTo(400);

        assertThat(RawHttp.send(RawHttp.loopback(), port, "GET", "/api/v1/cpus", null).status()).isEqualTo(200);
        assertThat(RawHttp.send(RawHttp.loopback(), port, "GET", "/actuator/prometheus", null).status()).isIn(403, 404);
    }
}
