package io.tsfleet.listener.config;

import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;
import io.tsfleet.listener.engine.ReplicaEngine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The service as it runs: static mask against a broker over TCP, JSON-lines sink, actuator and REST API. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
class ListenerApplicationTest {
    static final FakeBroker BROKER;
    static final Path SINK_DIR;

    static {
        try {
            BROKER = new FakeBroker("tok", 4).start();
            SINK_DIR = Files.createTempDirectory("listener-app-test");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        r.add("tsfleet.listener.broker", BROKER::address);
        r.add("tsfleet.listener.broker-token", () -> "tok");
        r.add("tsfleet.listener.static-mask", () -> "0-1");
        r.add("tsfleet.listener.id", () -> "replica-test");
        r.add("tsfleet.listener.node", () -> "worker-7");
        r.add("tsfleet.listener.zone", () -> "zone-a");
        r.add("tsfleet.listener.sink", () -> "jsonl:" + SINK_DIR.resolve("records.jsonl"));
        r.add("tsfleet.listener.stats-interval", () -> "200ms");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        BROKER.close();
    }

    @Autowired
    RestTestClient http;

    @Autowired
    ReplicaEngine engine;

    @Test
    void registersItsMaskRecordsExitsAndExposesEverything() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(engine::ready);
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");

        for (int i = 0; i < 20; i++) BROKER.exit(i % 2, 500 + i, "app", i == 3);
        BROKER.dropNext(1, 2);
        BROKER.exit(1, 600, "dropped", false);
        BROKER.exit(1, 601, "dropped", false);
        BROKER.exit(1, 602, "after", false);
        Path file = SINK_DIR.resolve("records.jsonl");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && Files.readAllLines(file).size() == 21);
        // the CPUs' connections are independent, so only the order within a CPU is defined
        assertThat(Files.readAllLines(file)).filteredOn(l -> l.startsWith("{\"cpu\":0,")).first().asString()
                .startsWith("{\"cpu\":0,\"seq\":0,\"pid\":500,")
                .contains("\"replica\":\"replica-test\",\"node\":\"" + FakeBroker.DEFAULT_NODE + "\",\"boot_id\":\"" + BROKER.bootId() + "\",");

        http.get().uri("/api/v1/cpus").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.replica").isEqualTo("replica-test")
                .jsonPath("$.owned").isEqualTo("0-1")
                .jsonPath("$.node").isEqualTo("worker-7")
                .jsonPath("$.nodes[0].node").isEqualTo("worker-7")
                .jsonPath("$.nodes[0].bootId").isEqualTo(BROKER.bootId())
                .jsonPath("$.cpus[1].node").isEqualTo("worker-7")
                .jsonPath("$.cpus.length()").isEqualTo(2)
                .jsonPath("$.cpus[1].cpu").isEqualTo(1)
                .jsonPath("$.cpus[1].records").isEqualTo(11)
                .jsonPath("$.cpus[1].lost").isEqualTo(2)
                .jsonPath("$.cpus[1].enobufs").isEqualTo(1)
                .jsonPath("$.cpus[1].lastSeq").isEqualTo(12)
                .jsonPath("$.cpus[0].registered").isEqualTo(true);
        http.get().uri("/api/v1/cpus/1").exchange().expectStatus().isOk().expectBody().jsonPath("$.phase").isEqualTo("OWNED")
                .jsonPath("$.node").isEqualTo("worker-7");
        http.get().uri("/api/v1/cpus/1?node=worker-7").exchange().expectStatus().isOk().expectBody().jsonPath("$.cpu").isEqualTo(1);
        http.get().uri("/api/v1/cpus/1?node=worker-8").exchange().expectStatus().isNotFound();
        http.get().uri("/api/v1/cpus/1?node=Bad_Node").exchange().expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith("application/problem+json");
        http.get().uri("/api/v1/cpus?phase=OWNED").exchange().expectStatus().isOk().expectBody().jsonPath("$.cpus.length()").isEqualTo(2);

        String prom = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk().returnResult(String.class).getResponseBody();
        assertThat(prom).contains("tsfleet_listener_records_total", "tsfleet_listener_records_lost_total", "tsfleet_listener_enobufs_total",
                "tsfleet_listener_duplicates_total", "tsfleet_listener_owned_cpus", "tsfleet_listener_load_ratio",
                "tsfleet_listener_handover_duration_seconds", "tsfleet_listener_sink_lag_seconds",
                "tsfleet_listener_task_delay_seconds_bucket{application=\"listener-service\",delay=\"cpu\"",
                "tsfleet_listener_task_delay_seconds_count{application=\"listener-service\",delay=\"irq\"}",
                "tsfleet_listener_capacity_records_per_second");
        assertThat(prom).doesNotContain("cpu=\"");
        assertThat(prom).containsPattern("tsfleet_listener_records_lost_total\\{[^}]*} 2\\.0");
        assertThat(prom).containsPattern("tsfleet_listener_owned_cpus\\{[^}]*} 2\\.0");
        assertThat(prom).containsPattern("tsfleet_listener_node_owned_cpus\\{[^}]*node=\"worker-7\"[^}]*} 2\\.0")
                .containsPattern("tsfleet_listener_node_records_lost_total\\{[^}]*node=\"worker-7\"[^}]*} 2\\.0")
                .containsPattern("tsfleet_listener_node_records_total\\{[^}]*node=\"worker-7\"[^}]*} 21\\.0")
                .containsPattern("tsfleet_listener_node_duplicates_total\\{[^}]*node=\"worker-7\"[^}]*} 0\\.0")
                .containsPattern("tsfleet_listener_node_enobufs_total\\{[^}]*node=\"worker-7\"[^}]*} 1\\.0")
                .containsPattern("tsfleet_listener_broker_refusals_total\\{[^}]*reason=\"node_mismatch\"[^}]*} 0\\.0")
                .contains("tsfleet_listener_records_dropped_with_node_total");
    }

    @Test
    void errorsAreProblemDetails() {
        http.get().uri("/api/v1/cpus/3").exchange().expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.title").isEqualTo("CPU not held").jsonPath("$.status").isEqualTo(404);
        http.get().uri("/api/v1/cpus/99999").exchange().expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        http.get().uri("/api/v1/cpus/abc").exchange().expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        http.get().uri("/api/v1/cpus?phase=BOGUS").exchange().expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }
}
