package io.tsfleet.listener.coordinator;

import io.tsfleet.listener.testing.Wire;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tsfleet.listener.testing.MockCoordinator;
import io.tsfleet.protocol.testing.FakeBroker;
import io.tsfleet.protocol.testing.ManualClock;
import io.tsfleet.listener.testing.TestReplica;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The heartbeat loop against a mocked coordinator over HTTP, with the circuit breaker on a hand-moved clock. */
class HeartbeatLoopTest {
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
        HttpCoordinatorClient client = new HttpCoordinatorClient(URI.create(coordinator.url()), "r1", "ctok", Duration.ofSeconds(2),
                JsonMapper.builder().build());
        loop = new HeartbeatLoop(replica.engine, client, "r1", Duration.ofSeconds(1),
                new HeartbeatLoop.BreakerSettings(4, 2, 50, Duration.ofSeconds(30)), clock);
    }

    @AfterEach
    void stop() throws Exception {
        loop.stop();
        replica.close();
        coordinator.close();
        broker.close();
    }

    @Test
    void theFirstHeartbeatJoinsAndTheDirectiveIsApplied() {
        coordinator.answer(Wire.directive(1, "0-1", Map.of(), 250, 5000));
        assertThat(loop.heartbeatOnce()).isTrue();
        ReplicaHeartbeat join = coordinator.last().heartbeat();
        assertThat(join.replicaId()).isEqualTo("r1");
        assertThat(join.generation()).isZero();
        assertThat(Wire.report(join).ownedCpus()).isEmpty();
        assertThat(join.state()).isEqualTo(ReplicaHeartbeat.ACTIVE);
        assertThat(join.incarnation()).isEqualTo(loop.incarnation());
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        assertThat(replica.engine.heartbeatInterval(Duration.ofSeconds(9))).isEqualTo(Duration.ofMillis(250));

        broker.exit(0, 1, "x", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> Wire.report(replica.engine.heartbeat("r1", "i")).firstSeqs().containsKey(0));
        loop.heartbeatOnce();
        ReplicaHeartbeat next = coordinator.last().heartbeat();
        assertThat(next.generation()).isEqualTo(1);
        assertThat(Wire.report(next).ownedCpus()).isEqualTo("0-1");
        assertThat(Wire.report(next).cpuRates()).hasSize(2);
        assertThat(Wire.report(next).cpuLost()).containsExactly(0L, 0L);
        assertThat(Wire.report(next).firstSeqs()).containsEntry(0, 0L);
        assertThat(next.recordsTotal()).isEqualTo(1);
    }

    @Test
    void whileTheCoordinatorIsDownTheBreakerOpensAndTheReplicaKeepsItsMaskAndWorking() {
        coordinator.answer(Wire.directive(1, "0-1", Map.of(), 250, 5000));
        loop.heartbeatOnce();
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);

        coordinator.fail(503);
        assertThat(loop.heartbeatOnce()).isFalse();
        // window: one success, one failure = 50 % over the minimum of 2 calls
        assertThat(loop.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(loop.failedCount()).isEqualTo(1);
        int callsWhileOpen = coordinator.calls().size();
        assertThat(loop.heartbeatOnce()).isFalse();
        assertThat(coordinator.calls()).as("an open breaker does not call the coordinator").hasSize(callsWhileOpen);
        assertThat(loop.notPermittedCount()).isEqualTo(1);

        // static stability: the mask stays and records keep flowing
        assertThat(replica.engine.node(Wire.NODE).orElseThrow().owned().toCpulist()).isEqualTo("0-1");
        assertThat(replica.engine.ready()).isTrue();
        for (int i = 0; i < 10; i++) broker.exit(1, i, "y", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.sink.size() == 10);

        // the coordinator comes back; after the open wait the half-open probe succeeds and the breaker closes
        coordinator.answer(Wire.directive(1, "0-1", Map.of(), 250, 5000));
        clock.advance(Duration.ofSeconds(31));
        assertThat(loop.heartbeatOnce()).isTrue();
        assertThat(loop.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(coordinator.last().heartbeat().recordsTotal()).isEqualTo(10);
    }

    @Test
    void aStaleDirectiveFromTheCoordinatorIsRefused() {
        coordinator.answer(Wire.directive(7, "0", Map.of(), 250, 5000));
        loop.heartbeatOnce();
        coordinator.answer(Wire.directive(6, "", Map.of(), 250, 5000));
        loop.heartbeatOnce();
        assertThat(replica.engine.generation()).isEqualTo(7);
        assertThat(replica.engine.node(Wire.NODE).orElseThrow().target().toCpulist()).isEqualTo("0");
        assertThat(replica.engine.refusedDirectives()).isEqualTo(1);
    }

    @Test
    void lossIsReportedPerCpuOnceAndTheReportIsIncremental() {
        coordinator.answer(Wire.directive(1, "0", Map.of(), 250, 5000));
        loop.heartbeatOnce();
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        broker.exit(0, 1, "a", false);
        broker.dropNext(0, 3);
        for (int i = 0; i < 5; i++) broker.exit(0, 2 + i, "a", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.sink.size() == 3);
        loop.heartbeatOnce();
        assertThat(Wire.report(coordinator.last().heartbeat()).cpuLost()).containsExactly(3L);
        assertThat(coordinator.last().heartbeat().lostTotal()).isEqualTo(3);
        assertThat(coordinator.last().heartbeat().enobufsTotal()).isEqualTo(1);
        loop.heartbeatOnce();
        assertThat(Wire.report(coordinator.last().heartbeat()).cpuLost()).containsExactly(0L);
        assertThat(coordinator.last().heartbeat().lostTotal()).isEqualTo(3);
    }

    @Test
    void drainingIsReportedAndTheReplicaIsDrainedOnceTheCoordinatorMovedEverythingAway() {
        coordinator.answer(Wire.directive(1, "0", Map.of(), 250, 5000));
        loop.heartbeatOnce();
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);
        broker.exit(0, 1, "a", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.sink.size() == 1);

        replica.engine.beginDrain();
        assertThat(replica.engine.ready()).isFalse();
        coordinator.answer(Wire.directive(2, "", Map.of(), 250, 5000));
        loop.heartbeatOnce();
        assertThat(coordinator.last().heartbeat().state()).isEqualTo(ReplicaHeartbeat.DRAINING);
        assertThat(replica.engine.drained()).as("CPU 0 stays registered until its fence").isFalse();
        // the new owner's first seq is 1: the next exit
        coordinator.answer(Wire.directive(2, "", Map.of(0, 1L), 250, 5000));
        loop.heartbeatOnce();
        broker.exit(0, 2, "b", false);
        await().atMost(Duration.ofSeconds(5)).until(replica.engine::drained);
        assertThat(broker.listenerCount(0)).isZero();
        loop.heartbeatOnce();
        assertThat(Wire.report(coordinator.last().heartbeat()).released()).isEqualTo("0");
        assertThat(Wire.report(coordinator.last().heartbeat()).ownedCpus()).isEmpty();
        assertThat(replica.sink.size()).isEqualTo(1);
    }
}
