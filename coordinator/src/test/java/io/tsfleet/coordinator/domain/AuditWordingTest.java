package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.FleetEvent.*;
import io.tsfleet.coordinator.domain.fleet.HandoverPhase;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.planner.PlanningMode;
import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Every audit type has one event, and its words are the ones docs/coordinator.md and the operators know. */
class AuditWordingTest {
    private static final Duration LEASE = Duration.ofSeconds(10);

    private static Map<FleetEvent, String> examples() {
        Map<FleetEvent, String> m = new LinkedHashMap<>();
        m.put(new Started(), "no persisted assignment: starting empty");
        m.put(new Recovered(12, 3, 1, 2, 8, ""), "recovered generation 12 with 3 replicas (presumed alive for one lease), 1 handovers, "
                + "2 releases, loads of 8 CPUs");
        m.put(new Recovered(12, 3, 0, 0, 8, "8-9"), "recovered generation 12 with 3 replicas (presumed alive for one lease), 0 handovers, "
                + "0 releases, loads of 8 CPUs; CPUs no longer possible dropped: 8-9");
        m.put(new Joined("a", CpuSet.EMPTY), "joined with no CPUs registered");
        m.put(new Joined("a", CpuSet.range(0, 3)), "joined with CPUs 0-3 registered");
        m.put(new Confirmed("a"), "recovered replica is alive");
        m.put(new Restarted("a", "i2", "i1", true, null), "new incarnation i2 replaces i1 (recovered from the persisted assignment and "
                + "not heard from since)");
        m.put(new Restarted("a", "i2", "i1", false, Instant.parse("2030-01-01T00:00:10Z")),
                "new incarnation i2 replaces i1 (whose lease expired at 2030-01-01T00:00:10Z)");
        m.put(new GenerationRaised("a", 40), "replica applied generation 40, above this coordinator's (which started without a "
                + "persisted assignment); raising ours above it");
        m.put(new FleetSilent(LEASE), "no replica has heartbeated for 10000 ms: all of them keep their CPUs for one more lease (a "
                + "stalled machine or network, rather than every replica dead at once)");
        m.put(new FleetHeard("a"), "first heartbeat after the whole fleet was silent; every replica's lease restarts now");
        m.put(new Expired("a", LEASE), "no heartbeat for 10000 ms; its CPUs are reassigned now");
        m.put(new Stalled(Duration.ofMillis(6500)), "the coordinator did not run for 6500 ms (a starved machine?); every lease is extended by that much");
        m.put(new MaskSet("a", CpuSet.range(0, 1)), "pinned CPUs 0-1");
        m.put(new MaskCleared("a"), "pin removed");
        m.put(new PlanMade(RebalanceTrigger.MEMBERSHIP, PlanningMode.COVERAGE_ONLY, 4, 2.0, 1.0, 1.0, CpuSet.EMPTY, Set.of()),
                "membership plan (coverage_only): 4 CPUs to move, imbalance 2.0 -> 1.0 (floor 1.0)");
        m.put(new PlanMade(RebalanceTrigger.OVERFLOW, PlanningMode.FULL, 1, 1.23456, 1.1, 1.0004, CpuSet.range(3, 3), new TreeSet<>(Set.of("b", "a"))),
                "overflow plan (full): 1 CPUs to move, imbalance 1.235 -> 1.1 (floor 1.0), hot CPUs 3, over capacity: [a, b]");
        m.put(new RebalanceSkipped(RebalanceTrigger.IMBALANCE, true, 1.5, 1.5, 3, CpuSet.EMPTY),
                "imbalance rebalance skipped: the plan moves nothing; desired replicas 3");
        m.put(new RebalanceSkipped(RebalanceTrigger.IMBALANCE, false, 1.5, 1.49, 3, CpuSet.EMPTY),
                "imbalance rebalance skipped: the plan would not help enough (imbalance 1.5 -> 1.49); desired replicas 3");
        m.put(new RebalanceSkipped(RebalanceTrigger.CAPACITY, false, 1000, 950, 4, CpuSet.range(0, 0)),
                "capacity rebalance skipped: the plan would not help enough (load above the headroom limits 1000.0 -> 950.0 exits/s); "
                        + "desired replicas 4, hot CPUs 0");
        m.put(new DrainStarted("a", true), "admin drain: moving its CPUs away");
        m.put(new DrainStarted("a", false), "replica reports DRAINING: moving its CPUs away");
        m.put(new PersistFailed(9, "disk full"), "could not persist generation 9: disk full; nothing of it is handed out, the assignment "
                + "is recovered from the store");
        m.put(new HandoverRolledBack(3, "b", "a", HandoverPhase.MAKE, "timed out"), "CPU 3 stays with a (make phase): timed out");
        m.put(new OwnershipTaken(3, "b", "owner a is gone"), "CPU 3 taken by b: owner a is gone");
        m.put(new StrayFenced(3, "a", 77), "a is registered on CPU 3 without owning it; told to release it after fence 77");
        m.put(new ReleaseStuck(3, "a", 77), "a has not released CPU 3 (fence 77) in time; the new owner keeps it, the fence stays in its directive");
        m.put(new Scaled("deployment/listener", 2, 3), "deployment/listener from 2 to 3 replicas");
        String boot1 = "0f6c3a52-5d1e-4d8e-9a51-3b1c2d4e5f60", boot2 = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
        m.put(new NodeJoined("worker-1", boot1, CpuSet.range(0, 63), "worker-1:7411", "off"),
                "node worker-1 joined (boot " + boot1 + ") with CPUs 0-63, broker worker-1:7411, delay accounting off");
        m.put(new NodeRebooted("worker-1", boot1, boot2), "node worker-1 rebooted: boot " + boot1 + " -> " + boot2
                + "; its per-CPU sequences start anew (not a loss)");
        m.put(new NodeExpired("worker-1", boot2, Duration.ofSeconds(30)), "node worker-1 (boot " + boot2
                + ") did not announce itself for 30000 ms; dropped");
        m.put(new NodeLeft("worker-1", boot2), "node worker-1 (boot " + boot2 + ") withdrawn by its agent");
        return m;
    }

    @Test
    void eachEventHasItsWords() {
        examples().forEach((event, words) -> assertThat(AuditWording.message(event)).as("%s", event).isEqualTo(words));
    }

    @Test
    void everyAuditTypeHasExactlyOneEventRecord() {
        assertThat(FleetEvent.class.getPermittedSubclasses()).hasSize(AuditType.values().length);
        assertThat(examples().keySet().stream().map(FleetEvent::type).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(Arrays.asList(AuditType.values()));
    }

    @Test
    void aLongCpulistIsCut() {
        CpuSet every2nd = CpuSet.EMPTY;
        for (int c = 0; c < 200; c += 2) every2nd = every2nd.union(CpuSet.range(c, c));
        String words = AuditWording.message(new MaskSet("a", every2nd));
        assertThat(words).startsWith("pinned CPUs 0,2,4").endsWith("...").hasSize("pinned CPUs ".length() + 80);
    }

    @Test
    void theEventNamesItsReplicaAndCpu() {
        FleetEvent e = new StrayFenced(3, "a", 77);
        assertThat(e.replica()).isEqualTo("a");
        assertThat(e.cpu()).isEqualTo(3);
        assertThat(new PlanMade(RebalanceTrigger.ADMIN, PlanningMode.FULL, 0, 1, 1, 1, CpuSet.EMPTY, Set.of()).replica()).isNull();
        assertThat(new Joined("a", CpuSet.EMPTY).cpu()).isEqualTo(-1);
    }
}
