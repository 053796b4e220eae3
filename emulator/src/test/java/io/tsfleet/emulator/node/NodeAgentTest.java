package io.tsfleet.emulator.node;

import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The node agent against a real HTTP server on an ephemeral port: announces, renews, retries after failures, withdraws on close. */
class NodeAgentTest {
    static final NodeAnnouncement ANNOUNCEMENT = new NodeAnnouncement("worker-1", "0f6c3a52-5d1e-4d8e-9a51-3b1c2d4e5f60", "0-7",
            "worker-1:7411", NodeAnnouncement.ON, "zone-a");

    final JsonMapper json = JsonMapper.builder().build();
    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final NodeAgentStats stats = new NodeAgentStats(clock);

    NodeAgent agent(URI coordinator, String token) {
        NodeAgentSettings settings = new NodeAgentSettings(coordinator, token, Duration.ofSeconds(2), Duration.ofMillis(20), Duration.ofMillis(80));
        return new NodeAgent(settings, () -> ANNOUNCEMENT, NodeAgent.httpClient(settings), json, clock, stats);
    }

    static FakeCoordinator.Request next(FakeCoordinator c) throws InterruptedException {
        FakeCoordinator.Request r = c.requests.poll(5, TimeUnit.SECONDS);
        assertThat(r).as("a request within 5 s").isNotNull();
        return r;
    }

    /** The agent takes the answer after the server has seen the request: wait for it to be counted. */
    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(condition.getAsBoolean()).as("within 5 s").isTrue();
    }

    @Test
    void announcesAtStartWithItsTokenAndRenewsEveryIntervalTheCoordinatorAnswers() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(30_000, 100); NodeAgent agent = agent(coordinator.uri(), "node-secret")) {
            agent.start();
            FakeCoordinator.Request first = next(coordinator);
            assertThat(first.method()).isEqualTo("PUT");
            assertThat(first.path()).isEqualTo("/internal/v1/nodes/worker-1");
            assertThat(first.authorization()).isEqualTo("Bearer node-secret");
            assertThat(json.readValue(first.body(), NodeAnnouncement.class)).isEqualTo(ANNOUNCEMENT);
            long t0 = System.nanoTime();
            FakeCoordinator.Request second = next(coordinator);
            assertThat(second.method()).isEqualTo("PUT");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("renewed after the answered interval, not at once").isGreaterThanOrEqualTo(50);
            next(coordinator);
            assertThat(stats.announcements()).isGreaterThanOrEqualTo(2);
            assertThat(stats.failures()).isZero();
            assertThat(stats.registered()).isTrue();
            clock.advance(Duration.ofSeconds(31));
            assertThat(stats.registered()).as("the lease of the last answer has ended on the agent's clock").isFalse();
        }
    }

    @Test
    void retriesWithBackoffAfterFailuresAndCountsThem() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(30_000, 60_000); NodeAgent agent = agent(coordinator.uri(), "node-secret")) {
            coordinator.then(FakeCoordinator.problem(503, "Not the leader"), FakeCoordinator.problem(503, "Not the leader"),
                    new FakeCoordinator.Answer(200, "application/json", "not a lease"));
            agent.start();
            for (int i = 0; i < 4; i++) assertThat(next(coordinator).method()).isEqualTo("PUT");
            awaitTrue(() -> stats.announcements() == 1);
            assertThat(stats.failures()).isEqualTo(3);
            assertThat(stats.announcements()).isEqualTo(1);
            assertThat(stats.registered()).isTrue();
            assertThat(coordinator.requests.poll(300, TimeUnit.MILLISECONDS)).as("then quiet for the answered interval (60 s)").isNull();
        }
    }

    @Test
    void theBackoffDoublesUpToItsLimit() {
        NodeAgent agent = agent(URI.create("http://127.0.0.1:1"), "");
        assertThat(agent.backoff(1)).isEqualTo(Duration.ofMillis(20));
        assertThat(agent.backoff(2)).isEqualTo(Duration.ofMillis(40));
        assertThat(agent.backoff(3)).isEqualTo(Duration.ofMillis(80));
        assertThat(agent.backoff(30)).isEqualTo(Duration.ofMillis(80));
        agent.close();
    }

    @Test
    void closeWithdrawsTheNode() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(30_000, 60_000)) {
            NodeAgent agent = agent(coordinator.uri(), "node-secret");
            agent.start();
            assertThat(next(coordinator).method()).isEqualTo("PUT");
            agent.close();
            FakeCoordinator.Request withdrawal = next(coordinator);
            assertThat(withdrawal.method()).isEqualTo("DELETE");
            assertThat(withdrawal.path()).isEqualTo("/internal/v1/nodes/worker-1");
            assertThat(withdrawal.authorization()).isEqualTo("Bearer node-secret");
            assertThat(stats.registered()).isFalse();
            assertThat(coordinator.requests.poll(200, TimeUnit.MILLISECONDS)).as("nothing after the withdrawal").isNull();
        }
    }

    @Test
    void anUnreachableCoordinatorIsRetriedAndCloseDoesNotHang() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        NodeAgent agent = agent(URI.create("http://127.0.0.1:" + port), "node-secret");
        agent.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stats.failures() < 3 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(stats.failures()).isGreaterThanOrEqualTo(3);
        long t0 = System.nanoTime();
        agent.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3000);
        assertThat(stats.registered()).isFalse();
    }

    NodeAgent agentWithTokenFile(URI coordinator, java.nio.file.Path tokenFile) {
        NodeAgentSettings settings = new NodeAgentSettings(coordinator, NodeAgentToken.fromFile(tokenFile), Duration.ofSeconds(2), Duration.ofMillis(20),
                Duration.ofMillis(80));
        return new NodeAgent(settings, () -> ANNOUNCEMENT, NodeAgent.httpClient(settings), json, clock, stats);
    }

    /** Replaces the file's contents the way the kubelet rotates a projected token: a new file moved over the old one. */
    static void rotate(java.nio.file.Path file, String token) throws java.io.IOException {
        java.nio.file.Path fresh = file.resolveSibling(file.getFileName() + ".new");
        java.nio.file.Files.writeString(fresh, token + "\n");
        java.nio.file.Files.move(fresh, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aTokenFileIsReadAgainBeforeEveryAnnouncementAndTheWithdrawal(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("coordinator-token");
        java.nio.file.Files.writeString(file, "sa-token-1\n");
        try (FakeCoordinator coordinator = new FakeCoordinator(30_000, 300)) {
            NodeAgent agent = agentWithTokenFile(coordinator.uri(), file);
            agent.start();
            assertThat(next(coordinator).authorization()).isEqualTo("Bearer sa-token-1");
            rotate(file, "sa-token-2");
            assertThat(next(coordinator).authorization()).as("the announcement after the rotation carries the new token").isEqualTo("Bearer sa-token-2");
            assertThat(next(coordinator).authorization()).isEqualTo("Bearer sa-token-2");
            assertThat(stats.failures()).isZero();
            rotate(file, "sa-token-3");
            agent.close();
            FakeCoordinator.Request withdrawal;
            do {
                withdrawal = next(coordinator);
            } while (!withdrawal.method().equals("DELETE"));
            assertThat(withdrawal.authorization()).as("the withdrawal reads the file too").isEqualTo("Bearer sa-token-3");
        }
    }

    @Test
    void aTokenFileThatCannotBeReadFailsTheAttemptCountedAndSendsNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("coordinator-token");
        java.nio.file.Files.writeString(file, "sa-token-1");
        try (FakeCoordinator coordinator = new FakeCoordinator(30_000, 60_000)) {
            NodeAgent agent = agentWithTokenFile(coordinator.uri(), file);
            java.nio.file.Files.delete(file);
            agent.start();
            awaitTrue(() -> stats.failures() >= 3);
            assertThat(coordinator.requests).as("no request without a token").isEmpty();
            assertThat(stats.announcements()).isZero();
            java.nio.file.Files.writeString(file, "   \n");
            long failures = stats.failures();
            awaitTrue(() -> stats.failures() >= failures + 2);
            assertThat(coordinator.requests).as("an empty file is no token either").isEmpty();
            rotate(file, "sa-token-2");
            FakeCoordinator.Request r = next(coordinator);
            assertThat(r.authorization()).isEqualTo("Bearer sa-token-2");
            agent.close();
        }
    }

    @Test
    void aTokenFileThatIsMissingEmptyOrHugeAtStartIsAClearError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertThatThrownBy(() -> NodeAgentToken.fromFile(dir.resolve("absent")))
                .hasMessage("tsfleet.emulator.node.coordinator-token-file " + dir.resolve("absent") + " cannot be read (NoSuchFileException)");
        java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> NodeAgentToken.fromFile(empty)).hasMessage("tsfleet.emulator.node.coordinator-token-file " + empty + " is empty");
        java.nio.file.Path huge = java.nio.file.Files.writeString(dir.resolve("huge"), "x".repeat(20_000));
        assertThatThrownBy(() -> NodeAgentToken.fromFile(huge)).hasMessageContaining("is larger than 16384 bytes");
    }
}
