package io.tsfleet.coordinator.web;

import io.tsfleet.testing.RawHttp;
import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.ReplicaView;
import io.tsfleet.coordinator.service.CoordinatorService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-replica tokens ({@code tsfleet.coordinator.security.replica-tokens-file}), over real HTTP: a replica's token
 * sends that replica's heartbeats and no other's (403 problem+json, nothing changes), cannot read the admin API, and
 * the file is re-read when it changes. The shared replica token still speaks for any id (documented as weaker).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.possible-cpus=0-15",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.security.admin-tokens=binding-admin",
        "tsfleet.coordinator.security.replica-tokens=binding-shared"})
class ReplicaTokenBindingTest {
    static final Path TOKENS;

    static {
        try {
            TOKENS = Files.createTempFile("replica-tokens", ".txt");
            Files.writeString(TOKENS, "# replica-id=token\nr1=token-of-r1\nr2=token-of-r2\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void tokenFile(DynamicPropertyRegistry registry) {
        registry.add("tsfleet.coordinator.security.replica-tokens-file", TOKENS::toString);
    }

    @LocalServerPort
    int port;
    @Autowired
    CoordinatorService service;
    @Autowired
    InMemoryAssignmentStore store;
    @Autowired
    JsonMapper json;

    @BeforeEach
    void empty() throws IOException {
        service.stop();
        store.clear();
        service.start();
        Files.writeString(TOKENS, "# replica-id=token\nr1=token-of-r1\nr2=token-of-r2\n");
        Files.setLastModifiedTime(TOKENS, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
    }

    private RawHttp.Response heartbeat(String id, String token) throws IOException {
        return RawHttp.send(port, "POST", "/internal/v1/replicas/" + id + "/heartbeat", token, json.writeValueAsString(Heartbeats.empty(id, "i-" + id, 0)));
    }

    private List<String> replicas() {
        return service.call(c -> c.replicas()).stream().map(ReplicaView::id).toList();
    }

    @Test
    void aReplicaTokenHeartbeatsOnlyAsItsReplica() throws Exception {
        assertThat(heartbeat("r1", "token-of-r1").status()).isEqualTo(200);
        assertThat(heartbeat("r2", "token-of-r2").status()).isEqualTo(200);

        RawHttp.Response forged = heartbeat("r2", "token-of-r1");
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.header("Content-Type")).startsWith("application/problem+json");
        assertThat(forged.body()).contains("cannot send the heartbeat of replica 'r2'");
        RawHttp.Response invented = heartbeat("r99", "token-of-r1");
        assertThat(invented.status()).isEqualTo(403);
        assertThat(replicas()).containsExactlyInAnyOrder("r1", "r2");

        assertThat(RawHttp.send(port, "GET", "/api/v1/assignment", "token-of-r1", null).status()).as("a replica token cannot read").isEqualTo(403);
        assertThat(RawHttp.send(port, "POST", "/api/v1/rebalance", "token-of-r1", null).status()).as("nor write").isEqualTo(403);
        assertThat(heartbeat("r1", "not-a-token").status()).isEqualTo(401);
    }

    @Test
    void theEncodedSpellingOfAnotherIdIsTheSameId() throws Exception {
        String body = json.writeValueAsString(Heartbeats.empty("r2", "i-r2", 0));
        assertThat(RawHttp.send(port, "POST", "/internal/v1/replicas/%72%32/heartbeat", "token-of-r1", body).status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "POST", "/internal/v1/replicas/%72%31/heartbeat", "token-of-r1",
                json.writeValueAsString(Heartbeats.empty("r1", "i-r1", 0))).status()).isEqualTo(200);
        assertThat(replicas()).containsExactly("r1");
    }

    @Test
    void theFileIsReReadWhenItChanges() throws Exception {
        assertThat(heartbeat("r1", "token-of-r1").status()).isEqualTo(200);
        Files.writeString(TOKENS, "r1=rotated-token-of-r1\nr3=token-of-r3\n");
        Files.setLastModifiedTime(TOKENS, FileTime.from(Instant.parse("2030-01-01T00:01:00Z")));
        assertThat(heartbeat("r1", "token-of-r1").status()).as("the old token is gone").isEqualTo(401);
        assertThat(heartbeat("r1", "rotated-token-of-r1").status()).isEqualTo(200);
        assertThat(heartbeat("r3", "token-of-r3").status()).isEqualTo(200);

        Files.writeString(TOKENS, "r1=a token with spaces\n");
        Files.setLastModifiedTime(TOKENS, FileTime.from(Instant.parse("2030-01-01T00:02:00Z")));
        assertThat(heartbeat("r1", "rotated-token-of-r1").status()).as("a bad file leaves the previous tokens in force").isEqualTo(200);
    }

    @Test
    void theSharedReplicaTokenStillSpeaksForAnyReplica() throws Exception {
        assertThat(heartbeat("r1", "binding-shared").status()).isEqualTo(200);
        assertThat(heartbeat("anyone", "binding-shared").status()).isEqualTo(200);
        assertThat(heartbeat("r2", "binding-admin").status()).isEqualTo(200);
    }
}
