package io.tsfleet.coordinator.web;

import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.AssignmentStore;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.AssignmentView;
import io.tsfleet.coordinator.service.CoordinatorService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store that refuses a write: the request that changed the assignment is answered 503 and nothing of it is kept, so
 * that what the coordinator answers is always what is persisted; once the store works again, so does the coordinator.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.possible-cpus=0-15",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.security.admin-tokens=admin",
        "tsfleet.coordinator.security.replica-tokens=replica"})
class PersistFailureHttpTest {
    private final HttpClient http = HttpClient.newHttpClient();

    /** An in-memory store whose writes fail while {@code failing} is set. */
    static final class FlakyStore implements AssignmentStore {
        final InMemoryAssignmentStore saved = new InMemoryAssignmentStore();
        volatile boolean failing;

        @Override
        public Optional<AssignmentSnapshot> load() {
            return saved.load();
        }

        @Override
        public void save(AssignmentSnapshot snapshot) {
            if (failing) throw new StoreException("disk full", null);
            saved.save(snapshot);
        }
    }

    @TestConfiguration
    static class Stores {
        @Bean
        @Primary
        FlakyStore flakyStore() {
            return new FlakyStore();
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    CoordinatorService service;
    @Autowired
    FlakyStore store;

    private HttpResponse<String> heartbeat(String id) throws Exception {
        String body = "{\"replicaId\":\"" + id + "\",\"incarnation\":\"i\",\"generation\":0,\"state\":\"ACTIVE\","
                + "\"capacityPerSecond\":0,\"recordsTotal\":0,\"lostTotal\":0,\"enobufsTotal\":0,\"duplicatesTotal\":0,\"nodes\":[]}";
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/internal/v1/replicas/" + id + "/heartbeat"))
                .header("Authorization", "Bearer replica").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Authorization", "Bearer admin")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> rebalance() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/rebalance")).header("Authorization", "Bearer admin")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aChangeTheStoreDidNotTakeIsRefusedWith503AndForgotten() throws Exception {
        assertThat(heartbeat("a").statusCode()).isEqualTo(200);
        assertThat(heartbeat("b").statusCode()).isEqualTo(200); // joins with coverage only: a keeps every CPU
        long persisted = store.load().orElseThrow().generation();

        store.failing = true;
        HttpResponse<String> refused = rebalance(); // moves half of a's CPUs to b: a new generation
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(JsonMapper.builder().build().readTree(refused.body()).get("detail").asString()).contains("disk full")
                .contains("could not persist generation " + (persisted + 1));

        // the coordinator answers what is persisted: the generation and masks of the store, without b
        AssignmentView now = service.call(c -> c.assignment());
        assertThat(now.generation()).isEqualTo(persisted);
        assertThat(now.targets()).isEqualTo(store.load().orElseThrow().targets()).containsEntry("a", "0-15").doesNotContainKey("b");
        assertThat(now.handovers()).isEmpty();
        assertThat(get("/api/v1/assignment").body()).contains("\"generation\":" + persisted);
        assertThat(get("/actuator/prometheus").body()).contains("tsfleet_coordinator_persist_failures_total{application=\"tsfleet-coordinator\"} 1.0");
        assertThat(heartbeat("a").statusCode()).as("a heartbeat that changes nothing is answered").isEqualTo(200);

        store.failing = false;
        assertThat(heartbeat("b").statusCode()).isEqualTo(200); // (b had no CPUs, so no persisted trace: it joins again)
        HttpResponse<String> applied = rebalance();
        assertThat(applied.statusCode()).isBetween(200, 202);
        AssignmentView after = service.call(c -> c.assignment());
        assertThat(after.generation()).as(applied.body() + " " + service.call(c -> c.audit(20))).isGreaterThan(persisted);
        assertThat(after.generation()).isEqualTo(store.load().orElseThrow().generation()).isGreaterThan(persisted);
        assertThat(after.targets()).containsKey("b").isEqualTo(store.load().orElseThrow().targets());
    }
}
