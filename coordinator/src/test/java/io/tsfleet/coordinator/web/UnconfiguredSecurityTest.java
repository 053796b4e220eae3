package io.tsfleet.coordinator.web;

import io.tsfleet.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** A coordinator without any credential configured refuses the admin API and heartbeats, and still serves its probes. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.possible-cpus=0-3",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h"})
class UnconfiguredSecurityTest {
    @LocalServerPort
    int port;

    @Test
    void nothingIsAcceptedButThePublicPaths() throws Exception {
        assertThat(RawHttp.send(port, "GET", "/api/v1/assignment", null, null).status()).isEqualTo(401);
        assertThat(RawHttp.send(port, "GET", "/api/v1/assignment", "", null).status()).isEqualTo(401);
        assertThat(RawHttp.send(port, "GET", "/api/v1/assignment", "anything", null).status()).isEqualTo(401);
        assertThat(RawHttp.send(port, "POST", "/internal/v1/replicas/a/heartbeat", "anything", "{}").status()).isEqualTo(401);
        assertThat(RawHttp.send(port, "GET", "/actuator/health/readiness", null, null).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/console/app.js", null, null).status()).isEqualTo(200);
    }

    @Test
    void unknownMethodsAreRejectedByTheFirewall() throws Exception {
        assertThat(RawHttp.send(port, "FOO", "/api/v1/assignment", null, null).status()).isEqualTo(400);
        assertThat(RawHttp.send(port, "TRACE", "/api/v1/assignment", null, null).status()).isIn(400, 405);
    }
}
