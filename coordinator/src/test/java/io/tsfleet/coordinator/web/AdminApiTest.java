package io.tsfleet.coordinator.web;

import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.protocol.testing.ManualClock;
import io.tsfleet.coordinator.service.CoordinatorService;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.MediaType;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@SpringBootTest(properties = {
        "tsfleet.coordinator.possible-cpus=0-15",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.policy.load-warmup=1h", // joins only get coverage; admin calls plan
        "tsfleet.coordinator.security.admin-tokens=admin-1, admin-2",
        "tsfleet.coordinator.security.read-tokens=reader",
        "tsfleet.coordinator.security.replica-tokens=replica"})
@AutoConfigureMockMvc
class AdminApiTest {
    static final MediaType PROBLEM = MediaType.APPLICATION_PROBLEM_JSON;

    @TestConfiguration
    static class Clocks {
        @Bean
        @Primary
        ManualClock testClock() {
            return new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
        }

        @Bean
        @Primary
        InMemoryAssignmentStore testStore() {
            return new InMemoryAssignmentStore();
        }
    }

    @Autowired
    MockMvc mvc;
    @Autowired
    JsonMapper json;
    @Autowired
    ManualClock clock;
    @Autowired
    CoordinatorService service;
    @Autowired
    InMemoryAssignmentStore store;

    private static MockHttpServletRequestBuilder as(String token, MockHttpServletRequestBuilder request) {
        return request.header("Authorization", "Bearer " + token);
    }

    /** The directive's generation and its target on the static node (targetCpus, releaseFences), as the JSON says. */
    private JsonNode heartbeat(ReplicaHeartbeat hb) throws Exception {
        MvcResult r = mvc.perform(as("replica", post("/internal/v1/replicas/{id}/heartbeat", hb.replicaId()))
                        .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(hb)))
                .andExpect(status().isOk()).andReturn();
        JsonNode directive = json.readTree(r.getResponse().getContentAsString());
        tools.jackson.databind.node.ObjectNode flat = json.createObjectNode();
        flat.put("generation", directive.get("generation").asLong());
        flat.put("targetCpus", "");
        flat.set("releaseFences", json.createObjectNode());
        for (JsonNode node : directive.get("nodes")) {
            if (node.get("node").asString().equals(Heartbeats.NODE)) {
                flat.put("targetCpus", node.get("targetCpus").asString());
                flat.set("releaseFences", node.get("releaseFences"));
            }
        }
        return flat;
    }

    private JsonNode read(String path) throws Exception {
        return json.readTree(mvc.perform(as("reader", get(path))).andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
    }

    private long aApplied;

    /** Two replicas: a owns 0-15 and has applied it; b joined with nothing. */
    @BeforeEach
    void twoReplicas() throws Exception {
        // a fresh, empty coordinator for every test (one application context for the class)
        service.stop();
        store.clear();
        service.start();
        JsonNode a = heartbeat(Heartbeats.empty("a", "ia", 0));
        aApplied = a.get("generation").asLong();
        heartbeat(Heartbeats.of("a", "ia", aApplied, "0-15", 10, Map.of(), ""));
        heartbeat(Heartbeats.empty("b", "ib", 0));
    }

    @Test
    void withoutATokenEveryApiCallIs401ProblemJson() throws Exception {
        mvc.perform(get("/api/v1/assignment")).andExpect(status().isUnauthorized())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM))
                .andExpect(header().string("WWW-Authenticate", "Bearer realm=\"tsfleet-coordinator\""))
                .andExpect(jsonPath("$.status").value(401));
        mvc.perform(get("/api/v1/assignment").header("Authorization", "Basic YTpi")).andExpect(status().isUnauthorized());
        mvc.perform(as("nope", get("/api/v1/replicas"))).andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.detail").value("unknown bearer token"));
        mvc.perform(post("/internal/v1/replicas/a/heartbeat").contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void readTokensReadButCannotWriteAndReplicaTokensOnlyHeartbeat() throws Exception {
        mvc.perform(as("reader", get("/api/v1/assignment"))).andExpect(status().isOk());
        mvc.perform(as("admin-2", get("/api/v1/assignment"))).andExpect(status().isOk());
        mvc.perform(as("reader", post("/api/v1/rebalance"))).andExpect(status().isForbidden())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM)).andExpect(jsonPath("$.status").value(403));
        mvc.perform(as("reader", put("/api/v1/replicas/a/mask").contentType(MediaType.APPLICATION_JSON).content("{\"cpus\":\"0\"}")))
                .andExpect(status().isForbidden());
        mvc.perform(as("replica", get("/api/v1/assignment"))).andExpect(status().isForbidden());
        mvc.perform(as("reader", post("/internal/v1/replicas/a/heartbeat").contentType(MediaType.APPLICATION_JSON)
                .content(json.writeValueAsString(Heartbeats.empty("a", "ia", 0))))).andExpect(status().isForbidden());
        mvc.perform(as("admin-1", post("/internal/v1/replicas/a/heartbeat").contentType(MediaType.APPLICATION_JSON)
                .content(json.writeValueAsString(Heartbeats.empty("a", "ia", 1))))).andExpect(status().isOk());
    }

    @Test
    void badMasksAreProblemJson400AndChangeNothing() throws Exception {
        String before = mvc.perform(as("reader", get("/api/v1/assignment"))).andReturn().getResponse().getContentAsString();
        for (String body : new String[]{"{\"cpus\":\"0-99\"}", "{\"cpus\":\"3-1\"}", "{\"cpus\":\"0,,x\"}", "{\"cpus\":\"\"}",
                "{\"cpus\":null}", "{}", "{\"cpus\":", "[1,2]", "not json"}) {
            mvc.perform(as("admin-1", put("/api/v1/replicas/b/mask")).contentType(MediaType.APPLICATION_JSON).content(body))
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(PROBLEM))
                    .andExpect(jsonPath("$.status").value(400))
                    .andExpect(jsonPath("$.detail").isNotEmpty());
        }
        mvc.perform(as("admin-1", put("/api/v1/replicas/b/mask")).contentType(MediaType.APPLICATION_JSON).content("{\"cpus\":\"0-99\"}"))
                .andExpect(jsonPath("$.detail").value("CPUs 16-99 are not possible CPUs (possible: 0-15)"));
        mvc.perform(as("admin-1", put("/api/v1/replicas/nobody/mask")).contentType(MediaType.APPLICATION_JSON).content("{\"cpus\":\"1\"}"))
                .andExpect(status().isNotFound()).andExpect(content().contentTypeCompatibleWith(PROBLEM));
        String after = mvc.perform(as("reader", get("/api/v1/assignment"))).andReturn().getResponse().getContentAsString();
        assertThat(after).isEqualTo(before);
    }

    @Test
    void aDryRunReturnsThePlanAndItsMovesAndChangesNothing() throws Exception {
        String before = mvc.perform(as("reader", get("/api/v1/assignment"))).andReturn().getResponse().getContentAsString();

        mvc.perform(as("admin-1", post("/api/v1/rebalance").param("dryRun", "true")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.applied").value(false))
                .andExpect(jsonPath("$.movedCpus").value(8))
                .andExpect(jsonPath("$.moves[0].from").value("a"))
                .andExpect(jsonPath("$.moves[0].to").value("b"))
                .andExpect(jsonPath("$.targets.b").isNotEmpty());

        String after = mvc.perform(as("reader", get("/api/v1/assignment"))).andReturn().getResponse().getContentAsString();
        assertThat(after).isEqualTo(before);
        assertThat(read("/api/v1/audit").toString()).doesNotContain("admin plan");
    }

    @Test
    void aMaskIsMovedMakeBeforeBreakWithTheSequenceFence() throws Exception {
        mvc.perform(as("admin-1", put("/api/v1/replicas/b/mask")).contentType(MediaType.APPLICATION_JSON).content("{\"cpus\":\"0-3\"}"))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.applied").value(true))
                .andExpect(jsonPath("$.moves[0].cpus").value("0-3"));
        // PREPARE: a stops owning 0-3 but keeps them registered (no fence), b is not told yet
        JsonNode cpu2 = read("/api/v1/cpus/2");
        assertThat(cpu2.get("handover").get("phase").asString()).isEqualTo("PREPARE");
        JsonNode a = heartbeat(Heartbeats.of("a", "ia", aApplied, "0-15", 10, Map.of(), ""));
        assertThat(a.get("targetCpus").asString()).isEqualTo("4-15");
        assertThat(a.get("releaseFences").isEmpty()).isTrue();
        JsonNode b = heartbeat(Heartbeats.empty("b", "ib", 0));
        assertThat(b.get("targetCpus").asString()).isEmpty();
        // a applies it -> MAKE: b registers 0-3
        heartbeat(Heartbeats.of("a", "ia", a.get("generation").asLong(), "0-15", 10, Map.of(), ""));
        b = heartbeat(Heartbeats.empty("b", "ib", 0));
        assertThat(b.get("targetCpus").asString()).isEqualTo("0-3");
        // b reports its first sequence numbers -> a gets them as release fences
        heartbeat(Heartbeats.of("b", "ib", b.get("generation").asLong(), "0-3", 10, Map.of(0, 7L, 1, 8L, 2, 9L, 3, 10L), ""));
        a = heartbeat(Heartbeats.of("a", "ia", a.get("generation").asLong(), "0-15", 10, Map.of(), ""));
        assertThat(a.get("releaseFences").get("2").asLong()).isEqualTo(9);
        assertThat(read("/api/v1/cpus/2").get("handover").get("phase").asString()).isEqualTo("BREAK");
        assertThat(read("/api/v1/cpus/2").get("owner").asString()).isEqualTo("b");
        // a released after the fence -> done
        heartbeat(Heartbeats.of("a", "ia", a.get("generation").asLong(), "4-15", 10, Map.of(), "0-3"));
        JsonNode assignment = read("/api/v1/assignment");
        assertThat(assignment.get("owners").get("b").asString()).isEqualTo("0-3");
        assertThat(assignment.get("handovers").isEmpty()).isTrue();
        assertThat(read("/api/v1/cpus/2").get("handover").isNull()).isTrue();
        String metrics = mvc.perform(get("/actuator/prometheus")).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(metrics).as("the four handovers, counted where Prometheus sees them")
                .containsPattern("tsfleet_coordinator_handovers_started_total\\{[^}]*\\} 4\\.0")
                .containsPattern("tsfleet_coordinator_handovers_completed_total\\{[^}]*\\} 4\\.0")
                .containsPattern("tsfleet_coordinator_stuck_releases_total\\{[^}]*\\} 0\\.0");
        assertThat(read("/api/v1/replicas/b").get("pinnedCpus").asString()).isEqualTo("0-3");
        mvc.perform(as("admin-1", delete("/api/v1/replicas/b/mask"))).andExpect(status().isAccepted());
        assertThat(read("/api/v1/replicas/b").get("pinnedCpus").asString()).isEmpty();
    }

    @Test
    void drainCpusScalingAndAuditAnswer() throws Exception {
        mvc.perform(as("admin-2", post("/api/v1/replicas/a/drain"))).andExpect(status().isAccepted())
                .andExpect(jsonPath("$.moves[0].from").value("a"));
        assertThat(read("/api/v1/replicas/a").get("state").asString()).isEqualTo("DRAINING");
        mvc.perform(as("admin-2", post("/api/v1/replicas/zz/drain"))).andExpect(status().isNotFound());
        assertThat(read("/api/v1/cpus/15").get("owner").asString()).isEqualTo("a");
        mvc.perform(as("reader", get("/api/v1/cpus/16"))).andExpect(status().isBadRequest()).andExpect(content().contentTypeCompatibleWith(PROBLEM));
        mvc.perform(as("reader", get("/api/v1/cpus/x"))).andExpect(status().isBadRequest()).andExpect(content().contentTypeCompatibleWith(PROBLEM));
        assertThat(read("/api/v1/scaling").has("desiredReplicas")).isTrue();
        JsonNode audit = read("/api/v1/audit?limit=5");
        assertThat(audit.size()).isLessThanOrEqualTo(5);
        assertThat(audit.get(0).get("type").asString()).isEqualTo("plan");
        mvc.perform(as("reader", get("/api/v1/audit").param("limit", "0"))).andExpect(status().isBadRequest());
    }

    @Test
    void badHeartbeatsAreProblemJson400() throws Exception {
        mvc.perform(as("replica", post("/internal/v1/replicas/other/heartbeat")).contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(Heartbeats.empty("a", "ia", 0))))
                .andExpect(status().isBadRequest()).andExpect(content().contentTypeCompatibleWith(PROBLEM))
                .andExpect(jsonPath("$.detail").value("replicaId 'a' does not match the path id 'other'"));
        mvc.perform(as("replica", post("/internal/v1/replicas/a/heartbeat")).contentType(MediaType.APPLICATION_JSON).content("{\"replicaId\":"))
                .andExpect(status().isBadRequest()).andExpect(content().contentTypeCompatibleWith(PROBLEM));
    }

    @Test
    void openApiAndPrometheusAreServed() throws Exception {
        String api = mvc.perform(get("/v3/api-docs")).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(api).contains("/api/v1/assignment", "/api/v1/replicas/{id}/mask", "/api/v1/rebalance", "/api/v1/cpus/{cpu}",
                "/api/v1/scaling", "/api/v1/audit", "/internal/v1/replicas/{id}/heartbeat", "bearer");
        clock.advance(Duration.ofSeconds(1));
        service.tick();
        String metrics = mvc.perform(get("/actuator/prometheus")).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(metrics).contains("tsfleet_coordinator_uncovered_cpus", "tsfleet_coordinator_generation", "tsfleet_coordinator_replicas{",
                "state=\"active\"", "tsfleet_coordinator_rebalances_total{", "trigger=\"membership\"", "tsfleet_coordinator_cpus_moved_total",
                "tsfleet_coordinator_handovers_in_flight", "tsfleet_coordinator_imbalance_ratio", "tsfleet_coordinator_imbalance_floor_ratio",
                "tsfleet_coordinator_desired_replicas", "tsfleet_coordinator_leader", "tsfleet_coordinator_hot_cpus");
        // off Kubernetes there is no role label to keep: the same series, always in sync
        assertThat(metrics).containsPattern("tsfleet_coordinator_leader_label_synced\\{[^}]*\\} 1\\.0")
                .containsPattern("tsfleet_coordinator_leader_label_failures_total\\{[^}]*\\} 0\\.0");
        assertThat(metrics).doesNotContain("cpu=\"");
        assertThat(metrics).containsPattern("tsfleet_coordinator_leader\\{[^}]*\\} 1\\.0");
        mvc.perform(get("/actuator/health/readiness")).andExpect(status().isOk()).andExpect(jsonPath("$.status").value("UP"));
        service.stop(); // no longer the leader: still ready (readiness is health only), but the API answers 503 problem+json
        mvc.perform(get("/actuator/health/readiness")).andExpect(status().isOk()).andExpect(jsonPath("$.status").value("UP"));
        mvc.perform(as("reader", get("/api/v1/assignment"))).andExpect(status().isServiceUnavailable())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM)).andExpect(header().exists("Retry-After"));
        service.start();
    }
}
