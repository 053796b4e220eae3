package io.tsfleet.listener.coordinator;

import io.tsfleet.listener.testing.MockCoordinator;
import io.tsfleet.listener.testing.MockCoordinator.Call;
import io.tsfleet.listener.testing.TestReplica;
import io.tsfleet.listener.testing.Wire;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.testing.FakeBroker;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Expedited heartbeats: the running heartbeat loop against a mocked coordinator over HTTP, the coordinator asking for
 * a heartbeat every 2 s. A handover step of the replica (a CPU leaving, a fence, a first sequence number, a completed
 * release) is answered within a fraction of that; otherwise the interval holds.
 */
class ExpeditedHeartbeatTest {
    private static final long INTERVAL_MS = 2000;
    private FakeBroker broker;
    private MockCoordinator coordinator;
    private TestReplica replica;
    private HeartbeatLoop loop;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeEach
    void start() throws Exception {
        broker = new FakeBroker("t", 4).start();
        coordinator = new MockCoordinator();
        replica = TestReplica.on(broker, "t");
    }

    private void startLoop(Duration expediteDelay) {
        HttpCoordinatorClient client = new HttpCoordinatorClient(URI.create(coordinator.url()), "r1", "ctok", Duration.ofSeconds(2),
                JsonMapper.builder().build());
        loop = new HeartbeatLoop(replica.engine, client, "r1", Duration.ofSeconds(1), expediteDelay,
                new HeartbeatLoop.BreakerSettings(4, 2, 50, Duration.ofSeconds(30)), clock);
        loop.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (loop != null) loop.stop();
        replica.close();
        coordinator.close();
        broker.close();
    }

    private static ReplicaDirective directive(long generation, String target, Map<Integer, Long> fences) {
        return Wire.directive(generation, target, fences, INTERVAL_MS, 10_000);
    }

    /** Owns 0-1 and has settled: the last two heartbeats were a regular interval apart. */
    private void ownsZeroAndOne() {
        coordinator.answer(directive(1, "0-1", Map.of()));
        startLoop(Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        int n = coordinator.calls().size();
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.calls().size() >= n + 1);
    }

    private static long millisBetween(Call a, Call b) {
        return (b.atNanos() - a.atNanos()) / 1_000_000;
    }

    private int firstCallWithGeneration(long generation, int from) {
        List<Call> calls = coordinator.calls();
        for (int i = from; i < calls.size(); i++) if (calls.get(i).heartbeat().generation() == generation) return i;
        return -1;
    }

    @Test
    void aCpuLeavingIsAcknowledgedSoonItsFenceIsPolledForAndTheReleaseReportedSoon() {
        ownsZeroAndOne();
        int before = coordinator.calls().size();
        coordinator.answer(directive(2, "1", Map.of())); // PREPARE: cpu 0 leaves, no fence
        await().atMost(Duration.ofSeconds(5)).until(() -> firstCallWithGeneration(2, before) >= 0);
        int ack = firstCallWithGeneration(2, before);
        List<Call> calls = coordinator.calls();
        assertThat(millisBetween(calls.get(ack - 1), calls.get(ack)))
                .as("the heartbeat that acknowledges the PREPARE follows the directive within a fraction of the interval")
                .isLessThan(1000);

        // waiting for the fence: heartbeats keep coming, backing off, never closer than the delay, at most a quarter apart
        sleep(3000);
        List<Call> polls = coordinator.calls().subList(ack, coordinator.calls().size());
        assertThat(polls.size()).as("polls for the fence in 3 s").isGreaterThanOrEqualTo(5);
        for (int i = 1; i < polls.size(); i++) {
            assertThat(millisBetween(polls.get(i - 1), polls.get(i))).isBetween(90L, 1200L);
        }

        // BREAK: the fence arrives; the release that follows is reported soon
        int beforeFence = coordinator.calls().size();
        coordinator.answer(directive(2, "1", Map.of(0, 0L)));
        await().atMost(Duration.ofSeconds(5)).until(() -> coordinator.calls().stream().skip(beforeFence)
                .anyMatch(c -> "0".equals(Wire.report(c.heartbeat()).released())));
        List<Call> after = coordinator.calls();
        int released = -1;
        for (int i = beforeFence; i < after.size(); i++) {
            if ("0".equals(Wire.report(after.get(i).heartbeat()).released())) {
                released = i;
                break;
            }
        }
        assertThat(millisBetween(after.get(beforeFence), after.get(released)))
                .as("the release is reported within a fraction of the interval after the fence was answered").isLessThan(1000);

        // the coordinator acknowledges (no fence any more): nothing waits, the interval holds again
        coordinator.answer(directive(3, "1", Map.of()));
        int acknowledged = coordinator.calls().size();
        await().atMost(Duration.ofSeconds(5)).until(() -> firstCallWithGeneration(3, acknowledged) >= 0);
        int quietFrom = coordinator.calls().size();
        sleep(4500);
        assertThat(coordinator.calls().size() - quietFrom).as("heartbeats in 4.5 s once the handover is over").isLessThanOrEqualTo(3);
        assertThat(loop.expeditedCount()).isPositive();
    }

    @Test
    void theFirstRecordOfAnAcquiredCpuIsReportedSoon() {
        coordinator.answer(directive(1, "0", Map.of()));
        startLoop(Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        // right after a heartbeat, the regular one is 2 s away
        int n = coordinator.calls().size();
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.calls().size() > n);
        long exitAt = System.nanoTime();
        broker.exit(0, 7, "x", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> coordinator.calls().stream()
                .anyMatch(c -> Wire.report(c.heartbeat()).firstSeqs().containsKey(0)));
        Call first = coordinator.calls().stream().filter(c -> Wire.report(c.heartbeat()).firstSeqs().containsKey(0)).findFirst().orElseThrow();
        assertThat((first.atNanos() - exitAt) / 1_000_000).as("ms from the first record to the heartbeat that reports it").isLessThan(1000);
    }

    @Test
    void withoutAHandoverStepTheIntervalHolds() {
        ownsZeroAndOne();
        int from = coordinator.calls().size();
        for (int i = 0; i < 20; i++) broker.exit(i % 2, 100 + i, "y", false); // records, but nothing the coordinator waits for
        sleep(4500);
        assertThat(coordinator.calls().size() - from).isLessThanOrEqualTo(3);
    }

    @Test
    void aCoordinatorThatFailsIsNotAskedSoonerWhileTheStepWaits() {
        ownsZeroAndOne();
        int before = coordinator.calls().size();
        coordinator.answer(directive(2, "1", Map.of()));
        await().atMost(Duration.ofSeconds(6)).until(() -> firstCallWithGeneration(2, before) >= 0);
        coordinator.fail(503);
        int from = coordinator.calls().size();
        sleep(3000);
        assertThat(coordinator.calls().size() - from).as("calls in 3 s to a coordinator that answers 503").isLessThanOrEqualTo(2);
    }

    @Test
    void aZeroDelayKeepsTheIntervalDuringAHandover() {
        coordinator.answer(directive(1, "0-1", Map.of()));
        startLoop(Duration.ZERO);
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        int before = coordinator.calls().size();
        coordinator.answer(directive(2, "1", Map.of()));
        await().atMost(Duration.ofSeconds(6)).until(() -> firstCallWithGeneration(2, before) >= 0);
        int ack = firstCallWithGeneration(2, before);
        List<Call> calls = coordinator.calls();
        assertThat(millisBetween(calls.get(ack - 1), calls.get(ack))).isGreaterThan(1500);
        assertThat(loop.expeditedCount()).isZero();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
