package io.tsfleet.listener.coordinator;

import io.tsfleet.listener.testing.MockCoordinator;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpCoordinatorClientTest {
    private final MockCoordinator coordinator;
    private final HttpCoordinatorClient client;

    HttpCoordinatorClientTest() throws Exception {
        coordinator = new MockCoordinator();
        client = new HttpCoordinatorClient(URI.create(coordinator.url() + "/"), "listener-0", "tok", Duration.ofSeconds(2), JsonMapper.builder().build());
    }

    @AfterEach
    void close() {
        coordinator.close();
    }

    private static ReplicaHeartbeat heartbeat() {
        return new ReplicaHeartbeat("listener-0", "inc-1", 3, ReplicaHeartbeat.ACTIVE, "0-1", 5000.5, List.of(10.0, 20.0), List.of(0L, 4L),
                100, 4, 1, 0, Map.of(1, 4294967295L), "7");
    }

    @Test
    void postsTheHeartbeatAsJsonWithTheBearerTokenAndReadsTheDirective() throws Exception {
        coordinator.answer(new ReplicaDirective(4, "0-3", Map.of(7, 12L), 500, 10_000));
        ReplicaDirective d = client.heartbeat(heartbeat());
        assertThat(d).isEqualTo(new ReplicaDirective(4, "0-3", Map.of(7, 12L), 500, 10_000));
        MockCoordinator.Call call = coordinator.last();
        assertThat(call.path()).isEqualTo("/internal/v1/replicas/listener-0/heartbeat");
        assertThat(call.authorization()).isEqualTo("Bearer tok");
        assertThat(call.contentType()).isEqualTo("application/json");
        assertThat(call.heartbeat()).isEqualTo(heartbeat());
        assertThat(call.body()).contains("\"firstSeqs\":{\"1\":4294967295}").contains("\"state\":\"ACTIVE\"");
    }

    @Test
    void noContentMeansNoDirective() throws Exception {
        coordinator.fail(204);
        assertThat(client.heartbeat(heartbeat())).isNull();
    }

    @Test
    void anErrorAnswerIsAnExceptionWithTheStatusAndTheProblem() {
        coordinator.fail(401);
        assertThatThrownBy(() -> client.heartbeat(heartbeat())).isInstanceOf(CoordinatorException.class)
                .hasMessageContaining("401").hasMessageContaining("nope")
                .satisfies(e -> assertThat(((CoordinatorException) e).status()).isEqualTo(401));
    }

    @Test
    void anUnreachableCoordinatorIsAnExceptionWithoutStatus() {
        coordinator.close();
        assertThatThrownBy(() -> client.heartbeat(heartbeat())).isInstanceOf(CoordinatorException.class)
                .satisfies(e -> assertThat(((CoordinatorException) e).status()).isZero());
    }

    @Test
    void theReplicaIdIsEscapedInThePath() {
        HttpCoordinatorClient odd = new HttpCoordinatorClient(URI.create("http://h:1/base"), "a b", null, Duration.ofSeconds(1), JsonMapper.builder().build());
        assertThat(odd.endpoint().toString()).isEqualTo("http://h:1/base/internal/v1/replicas/a%20b/heartbeat");
    }
}
