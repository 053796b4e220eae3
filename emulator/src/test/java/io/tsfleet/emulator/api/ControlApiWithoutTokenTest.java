package io.tsfleet.emulator.api;

import io.tsfleet.testing.RawHttp;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.emulated.workload.WorkloadGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The control API without a token, over real HTTP: the attacks of issue #17 are refused at once and change nothing,
 * writes come from loopback clients only (whatever X-Forwarded-For says, even with Spring Boot's Kubernetes defaults),
 * reads stay open, and what the API does not serve is refused, however its path is spelled.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.emulator.broker.port=0", "tsfleet.emulator.workload.enabled=true", "tsfleet.emulator.workload.base-rate=0",
        "tsfleet.emulator.kernel.possible-cpus=0-7", "tsfleet.emulator.kernel.nr-cpus=64",
        // what Spring Boot assumes in a pod: it would trust X-Forwarded-For from the pod network (private addresses, here
        // any address: this machine's may not be private) unless told not to
        "spring.main.cloud-platform=kubernetes", "server.tomcat.remoteip.internal-proxies=.*"})
class ControlApiWithoutTokenTest {
    private static final String PROBLEM = "application/problem+json";

    @LocalServerPort
    int port;

    @Autowired
    EmulatedKernel kernel;

    @Autowired
    WorkloadGenerator workload;

    @Autowired
    ControlApiRefusals refusals;

    private InetAddress remote;

    @BeforeEach
    void findARemoteAddress() throws Exception {
        remote = RawHttp.nonLoopbackAddress().orElse(null);
    }

    private RawHttp.Response local(String method, String target, String body, String... headers) throws Exception {
        return RawHttp.send(RawHttp.loopback(), port, method, target, body, headers);
    }

    @Test
    void anExitRequestBeyondTheEventLimitIsRefusedAtOnceAndNothingExits() throws Exception {
        long exits = kernel.counters().exits();
        double limits = refusals.count("limit");
        RawHttp.Response r = local("POST", "/api/v1/exits", "{\"cpu\":0,\"count\":10000,\"threads\":4096}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).contains(PROBLEM);
        assertThat(r.body()).contains("40960000 exit events").contains("tsfleet.emulator.api.max-exit-events = 10000");
        assertThat(r.millis()).isLessThan(5_000);
        assertThat(kernel.counters().exits()).isEqualTo(exits);
        assertThat(refusals.count("limit")).isEqualTo(limits + 1);

        // the limit itself is allowed: 2 × 4096 and 10000 × 1 events
        assertThat(local("POST", "/api/v1/exits", "{\"cpu\":0,\"count\":2,\"threads\":4096}").status()).isEqualTo(200);
        assertThat(local("POST", "/api/v1/exits", "{\"cpu\":0,\"count\":10000}").status()).isEqualTo(200);
        assertThat(local("POST", "/api/v1/exits", "{\"cpu\":0,\"count\":3,\"threads\":4096}").status()).isEqualTo(400);
    }

    @Test
    void aLifetimeBeyondTenYearsIsRefused() throws Exception {
        long exits = kernel.counters().exits();
        RawHttp.Response r = local("POST", "/api/v1/exits", "{\"cpu\":0,\"lifetimeUs\":9223372036854775807}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("lifetimeUs");
        assertThat(kernel.counters().exits()).isEqualTo(exits);
    }

    @Test
    void workloadTimesBeyondSevenDaysAreRefusedWithTheFieldNamedAndThePlanStays() throws Exception {
        String before = local("GET", "/api/v1/workload", null).body();
        for (String body : new String[] {
                "{\"baseRate\":1,\"moving\":{\"width\":1,\"factor\":2,\"periodMs\":9223372036854775807}}",
                "{\"baseRate\":1,\"moving\":{\"width\":1,\"factor\":2,\"periodMs\":604800001}}",
                "{\"baseRate\":1,\"bursts\":[{\"cpus\":\"1\",\"factor\":2,\"startAfterMs\":9223372036854775807,\"durationMs\":1}]}",
                "{\"baseRate\":1,\"bursts\":[{\"cpus\":\"1\",\"factor\":2,\"startAfterMs\":0,\"durationMs\":9223372036854775807}]}"}) {
            RawHttp.Response r = local("PUT", "/api/v1/workload", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.header("Content-Type")).contains(PROBLEM);
            assertThat(r.body()).as(body).containsAnyOf("moving.periodMs", "bursts[0].startAfterMs", "bursts[0].durationMs")
                    .contains("604800000");
        }
        assertThat(local("GET", "/api/v1/workload", null).body()).isEqualTo(before);

        // the longest period is taken, and ticks on it (a window start computed in exact arithmetic)
        assertThat(local("PUT", "/api/v1/workload", "{\"baseRate\":0,\"moving\":{\"width\":1,\"factor\":2,\"periodMs\":604800000}}").status())
                .isEqualTo(200);
        workload.tick();
    }

    @Test
    void liveTasksStopAtTheirLimitAndARefusedRequestStartsNone() throws Exception {
        int refusedAt = -1;
        for (int i = 0; i < 40 && refusedAt < 0; i++) {
            int live = kernel.liveTasks();
            RawHttp.Response r = local("POST", "/api/v1/tasks", "{\"threads\":4096}");
            if (r.status() != 200) {
                refusedAt = i;
                assertThat(r.status()).isEqualTo(409);
                assertThat(r.header("Content-Type")).contains(PROBLEM);
                assertThat(r.body()).contains("tsfleet.emulator.api.max-live-tasks").contains("65536");
                assertThat(kernel.liveTasks()).isEqualTo(live);
            }
        }
        assertThat(refusedAt).as("the 4096-thread tasks are refused before the pid space runs out").isBetween(1, 16);
        assertThat(kernel.liveTasks()).isLessThanOrEqualTo(65_536);
    }

    @Test
    void writesFromARemoteClientAreForbiddenEvenWhenItClaimsToBeLocal() throws Exception {
        assumeTrue(remote != null, "this machine has no non-loopback address");
        long exits = kernel.counters().exits();
        String plan = local("GET", "/api/v1/workload", null).body();
        int live = kernel.liveTasks();
        for (String[] call : new String[][] {{"POST", "/api/v1/exits", "{\"cpu\":0}"}, {"POST", "/api/v1/tasks", "{}"},
                {"PUT", "/api/v1/workload", "{\"baseRate\":5}"}}) {
            for (String forwarded : new String[] {"X-Forwarded-For: 127.0.0.1", "Forwarded: for=127.0.0.1", "X-Real-IP: 127.0.0.1"}) {
                RawHttp.Response r = RawHttp.send(remote, port, call[0], call[1], call[2], forwarded);
                assertThat(r.status()).as(call[1] + " " + forwarded).isEqualTo(403);
                assertThat(r.header("Content-Type")).contains(PROBLEM);
                assertThat(r.body()).contains("loopback").contains("tsfleet.emulator.api.token");
            }
        }
        assertThat(kernel.counters().exits()).isEqualTo(exits);
        assertThat(local("GET", "/api/v1/workload", null).body()).isEqualTo(plan);
        assertThat(kernel.liveTasks()).isEqualTo(live);

        // reads stay open to everyone, and a loopback client may write
        assertThat(RawHttp.send(remote, port, "GET", "/api/v1/cpus?size=1", null).status()).isEqualTo(200);
        assertThat(RawHttp.send(remote, port, "GET", "/actuator/prometheus", null).body())
                .containsPattern("tsfleet_emulator_api_refused_total\\{node=\"[^\"]+\",reason=\"not_loopback\"}");
        assertThat(local("POST", "/api/v1/exits", "{\"cpu\":0}").status()).isEqualTo(200);
    }

    @Test
    void aTokenSentToAnEmulatorWithoutOneIsRefused() throws Exception {
        RawHttp.Response r = local("POST", "/api/v1/exits", "{\"cpu\":0}", "Authorization: Bearer guess");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("tsfleet.emulator.api.token is unset");
    }

    @Test
    void whatTheApiDoesNotServeIsRefusedHoweverThePathIsSpelled() throws Exception {
        assumeTrue(remote != null, "this machine has no non-loopback address");
        long exits = kernel.counters().exits();
        // spellings that reach the exits endpoint after decoding are still the write rule's: forbidden from afar
        for (String target : new String[] {"/%61pi/v1/exits", "/api/v1/%65xits", "/api/v1/exits?x=/api/v1/cpus"}) {
            assertThat(RawHttp.send(remote, port, "POST", target, "{\"cpu\":0}").status()).as(target).isEqualTo(403);
        }
        // spellings not in normal form never reach a rule
        for (String target : new String[] {"/api/v1/exits;x", "/api/v1;x/exits", "//api/v1/exits", "/x/../api/v1/exits", "/api/v1/./exits",
                "/api/v1/%2e/exits", "/api%2fv1/exits", "/api/v1/exits%3bx", "/api/v1/%252e%252e/exits"}) {
            RawHttp.Response r = RawHttp.send(remote, port, "POST", target, "{\"cpu\":0}");
            assertThat(r.status()).as(target).isEqualTo(400);
        }
        // other methods, other cases, a trailing slash, other actuator endpoints: refused (deny by default)
        for (String[] call : new String[][] {{"DELETE", "/api/v1/workload"}, {"POST", "/API/v1/exits"}, {"POST", "/api/v1/exits/"},
                {"PATCH", "/api/v1/workload"}, {"GET", "/actuator/env"}, {"GET", "/actuator/heapdump"}, {"POST", "/actuator/shutdown"},
                {"GET", "/nothing"}}) {
            RawHttp.Response r = RawHttp.send(remote, port, call[0], call[1], call[0].equals("GET") ? null : "{\"cpu\":0}");
            assertThat(r.status()).as(call[0] + " " + call[1]).isEqualTo(403);
            assertThat(r.header("Content-Type")).contains(PROBLEM);
        }
        assertThat(kernel.counters().exits()).isEqualTo(exits);
        assertThat(RawHttp.send(remote, port, "GET", "/actuator/health/liveness", null).status()).isEqualTo(200);
        assertThat(RawHttp.send(remote, port, "GET", "/v3/api-docs", null).status()).isEqualTo(200);
    }

    @Test
    void aBodyBeyondTheLimitIsNotRead() throws Exception {
        long exits = kernel.counters().exits();
        String declared = "POST /api/v1/exits HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2000000000\r\n\r\n{\"cpu\":0";
        RawHttp.Response r = RawHttp.exchange(RawHttp.loopback(), port, declared.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body()).contains("tsfleet.emulator.api.max-body-bytes");
        assertThat(r.millis()).isLessThan(5_000);

        String big = "{\"cpu\":0,\"comm\":\"" + "a".repeat(1_100_000) + "\"}";
        String chunked = "POST /api/v1/exits HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n";
        RawHttp.Response c = RawHttp.exchange(RawHttp.loopback(), port, chunked.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(c.status()).isEqualTo(400);
        assertThat(kernel.counters().exits()).isEqualTo(exits);
    }
}
