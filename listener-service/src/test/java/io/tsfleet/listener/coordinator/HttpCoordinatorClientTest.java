package io.tsfleet.listener.coordinator;

import io.tsfleet.listener.testing.Wire;
import io.tsfleet.listener.testing.MockCoordinator;
import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
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
        return new ReplicaHeartbeat("listener-0", "inc-1", 3, ReplicaHeartbeat.ACTIVE, "worker-1", "zone-a", 5000.5, 100, 4, 1, 0, List.of(
                new NodeReport("worker-1", "6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b", "0-1", List.of(10.0, 20.0), List.of(0L, 4L), Map.of(1, 4294967295L), "7"),
                new NodeReport("worker-2", null, "3", List.of(1.5), List.of(0L), Map.of(), "")));
    }

    @Test
    void postsTheHeartbeatAsJsonWithTheBearerTokenAndReadsTheDirective() throws Exception {
        ReplicaDirective twoNodes = new ReplicaDirective(4, List.of(
                new NodeTarget("worker-1", "3f2a6c1e-0b4d-4e8f-9a1b-2c3d4e5f6a7b", "10.0.0.11:7441", "0-3", Map.of(7, 12L)),
                new NodeTarget("worker-2", null, null, "4-7", Map.of())), 500, 10_000);
        coordinator.answer(twoNodes);
        ReplicaDirective d = client.heartbeat(heartbeat());
        assertThat(d).isEqualTo(twoNodes);
        MockCoordinator.Call call = coordinator.last();
        assertThat(call.path()).isEqualTo("/internal/v1/replicas/listener-0/heartbeat");
        assertThat(call.authorization()).isEqualTo("Bearer tok");
        assertThat(call.contentType()).isEqualTo("application/json");
        assertThat(call.heartbeat()).isEqualTo(heartbeat());
        assertThat(call.body()).contains("\"firstSeqs\":{\"1\":4294967295}").contains("\"state\":\"ACTIVE\"")
                .contains("\"node\":\"worker-1\",\"zone\":\"zone-a\"")
                .contains("\"nodes\":[{\"node\":\"worker-1\",\"bootId\":\"6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b\",\"ownedCpus\":\"0-1\"");
    }

    @Test
    void noContentMeansNoDirective() throws Exception {
        coordinator.fail(204);
        assertThat(client.heartbeat(heartbeat())).isNull();
    }

    @Test
    void anErrorAnswerIsAnExceptionWithTheStatusAndTheProblem() {
        coordinator.fail(401);
        assertThatThrownBy(() -> client.heartbeat(heartbeat())).isInstanceOf(HeartbeatFailedException.class)
                .hasMessageContaining("401").hasMessageContaining("nope")
                .satisfies(e -> assertThat(((HeartbeatFailedException) e).status()).isEqualTo(401));
    }

    @Test
    void anUnreachableCoordinatorIsAnExceptionWithoutStatus() {
        coordinator.close();
        assertThatThrownBy(() -> client.heartbeat(heartbeat())).isInstanceOf(HeartbeatFailedException.class)
                .satisfies(e -> assertThat(((HeartbeatFailedException) e).status()).isZero());
    }

    @Test
    void aTokenFileIsSentAndReReadWhenItChanges(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "projected-token-1\n");
        HttpCoordinatorClient fromFile = new HttpCoordinatorClient(URI.create(coordinator.url()), "listener-0", CoordinatorToken.fromFile(file),
                Duration.ofSeconds(2), JsonMapper.builder().build());
        coordinator.answer(Wire.directive(4, "0-3", Map.of(), 500, 10_000));
        fromFile.heartbeat(heartbeat());
        assertThat(coordinator.last().authorization()).isEqualTo("Bearer projected-token-1");

        // the kubelet rotates the projected token: the next heartbeat carries the new one
        Files.writeString(file, "projected-token-2-rotated");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
        fromFile.heartbeat(heartbeat());
        assertThat(coordinator.last().authorization()).isEqualTo("Bearer projected-token-2-rotated");

        // a file that disappears for a moment (an atomic swap) keeps the last token
        Files.delete(file);
        fromFile.heartbeat(heartbeat());
        assertThat(coordinator.last().authorization()).isEqualTo("Bearer projected-token-2-rotated");
    }

    @Test
    void aMissingOrEmptyTokenFileIsAClearErrorAtStart(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> CoordinatorToken.fromFile(dir.resolve("absent"))).hasMessageContaining("coordinator-token-file");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> CoordinatorToken.fromFile(empty)).hasMessageContaining("is empty");
    }

    @Test
    void theReplicaIdIsEscapedInThePath() {
        HttpCoordinatorClient odd = new HttpCoordinatorClient(URI.create("http://h:1/base"), "a b", (String) null, Duration.ofSeconds(1), JsonMapper.builder().build());
        assertThat(odd.endpoint().toString()).isEqualTo("http://h:1/base/internal/v1/replicas/a%20b/heartbeat");
    }
}
