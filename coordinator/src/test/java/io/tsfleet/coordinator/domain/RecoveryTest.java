package io.tsfleet.coordinator.domain;

import io.tsfleet.protocol.testing.ManualClock;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.coordinator.domain.view.AssignmentView;
import io.tsfleet.coordinator.domain.view.HandoverView;
import io.tsfleet.coordinator.domain.view.ReleaseView;
import io.tsfleet.coordinator.persistence.FileAssignmentStore;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A restarted coordinator recovers the persisted assignment (from the file store) instead of reshuffling. */
class RecoveryTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final CoordinatorSettings settings = settings();

    private static CoordinatorSettings settings() {
        CoordinatorSettings d = CoordinatorSettings.defaults(CpuSet.range(0, 11));
        var p = d.policy();
        return new CoordinatorSettings(d.possibleCpus(), d.heartbeatInterval(), d.lease(), d.loadSmoothing(), d.planner(),
                new io.tsfleet.coordinator.domain.policy.PolicySettings(p.imbalanceThreshold(), p.imbalanceSustain(), p.overflowSustain(),
                        p.cooldown(), Duration.ofSeconds(4)), d.reconciler(), d.scaling(), d.auditCapacity());
    }

    private Coordinator start(Path file) {
        return new Coordinator(settings, new StickyBalancedAssignor(), new FileAssignmentStore(file), clock);
    }

    @Test
    void aRestartKeepsGenerationMasksHandoversFencesAndPins() {
        Path file = dir.resolve("state.json");
        Coordinator first = start(file);
        ReplicaDirective a = first.heartbeat("a", Heartbeats.empty("a", "ia", 0));
        first.heartbeat("a", Heartbeats.of("a", "ia", a.generation(), "0-11", 10, Map.of(), ""));
        first.heartbeat("b", Heartbeats.empty("b", "ib", 0));
        first.heartbeat("c", Heartbeats.empty("c", "ic", 0));
        clock.advance(Duration.ofSeconds(4));
        first.heartbeat("a", Heartbeats.of("a", "ia", a.generation(), "0-11", 10, Map.of(), ""));
        first.tick();
        first.setMask("c", "10-11");
        long prepare = first.generation();
        first.heartbeat("a", Heartbeats.of("a", "ia", prepare, "0-11", 10, Map.of(), ""));
        ReplicaDirective b = first.directiveFor("b");
        CpuSet bTarget = Heartbeats.cpus(b.target(Heartbeats.NODE).targetCpus());
        int fenced = bTarget.first();
        first.heartbeat("b", Heartbeats.of("b", "ib", b.generation(), bTarget.toCpulist(), 10, Map.of(fenced, 4_294_967_000L), ""));
        AssignmentView before = first.assignment();
        assertThat(before.handovers()).extracting(HandoverView::phase).contains("BREAK", "MAKE");
        Map<String, ReplicaDirective> directives = Map.of("a", first.directiveFor("a"), "b", first.directiveFor("b"), "c", first.directiveFor("c"));

        Coordinator second = start(file);

        AssignmentView after = second.assignment();
        assertThat(second.generation()).isEqualTo(first.generation());
        assertThat(after.owners()).isEqualTo(before.owners());
        assertThat(after.targets()).isEqualTo(before.targets());
        assertThat(after.pins()).isEqualTo(before.pins()).containsEntry("c", "10-11");
        assertThat(essentials(after.handovers())).isEqualTo(essentials(before.handovers()));
        assertThat(after.releases()).extracting(ReleaseView::cpu, ReleaseView::replica, ReleaseView::fence)
                .containsExactlyElementsOf(before.releases().stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.cpu(), r.replica(), r.fence())).toList());
        directives.forEach((id, d) -> assertThat(second.directiveFor(id)).as(id).isEqualTo(d));
        assertThat(second.replicas()).allSatisfy(r -> assertThat(r.presumed()).isTrue());
    }

    @Test
    void replicasThatKeepReportingTheirMasksAreNotReshuffledAfterARestart() {
        Path file = dir.resolve("state.json");
        Coordinator first = start(file);
        settle(first, List.of("a", "b", "c"), 20);
        AssignmentView settled = first.assignment();
        assertThat(settled.handovers()).isEmpty();
        assertThat(settled.owners()).hasSize(3);

        Coordinator second = start(file);
        settle(second, List.of("a", "b", "c"), 20);

        assertThat(second.assignment().owners()).isEqualTo(settled.owners());
        assertThat(second.status().cpusMoved()).isZero();
        assertThat(second.replicas()).allSatisfy(r -> assertThat(r.presumed()).isFalse());
    }

    /** Every replica heartbeats what its directive asks, with equal loads, for a number of rounds. */
    private void settle(Coordinator c, List<String> ids, int rounds) {
        for (int i = 0; i < rounds; i++) {
            for (String id : ids) {
                ReplicaDirective d = c.directiveFor(id);
                CpuSet owned = Heartbeats.cpus(d.target(Heartbeats.NODE).targetCpus());
                CpuSet releasing = CpuSet.of(d.target(Heartbeats.NODE).releaseFences().keySet().stream().mapToInt(Integer::intValue).toArray());
                Map<Integer, Long> first = new java.util.TreeMap<>();
                owned.forEach(cpu -> first.put(cpu, 1000L * cpu));
                c.heartbeat(id, Heartbeats.of(id, "i-" + id, d.generation(), "ACTIVE", owned.toCpulist(), 0, 10, first, releasing.toCpulist()));
            }
            clock.advance(Duration.ofSeconds(1));
            c.tick();
        }
    }

    private static List<String> essentials(List<HandoverView> hs) {
        return hs.stream().map(h -> h.cpu() + ":" + h.from() + ">" + h.to() + ":" + h.phase() + ":" + h.fence() + ":" + h.phaseGeneration()).toList();
    }

    @Test
    void aRecoveredReplicaThatComesBackAsAnotherProcessIsANewMemberNotItsDrainingPredecessor() {
        Path file = dir.resolve("state.json");
        Coordinator first = start(file);
        ReplicaDirective a = first.heartbeat("a", Heartbeats.empty("a", "ia", 0));
        first.heartbeat("a", Heartbeats.of("a", "ia", a.generation(), "0-11", 10, Map.of(), ""));
        first.heartbeat("b", Heartbeats.empty("b", "ib", 0));
        // a's process is stopped: it reports DRAINING and the coordinator moves its CPUs away
        first.heartbeat("a", Heartbeats.of("a", "ia", first.directiveFor("a").generation(), "DRAINING", "0-11", 0, 10, Map.of(), ""));
        assertThat(first.replicas()).filteredOn(r -> r.id().equals("a")).singleElement()
                .satisfies(r -> assertThat(r.state()).isEqualToIgnoringCase("draining"));

        Coordinator second = start(file);
        // a new process with a's id (scripts/fleet up again, a pod restarted while the coordinator was away)
        second.heartbeat("a", Heartbeats.empty("a", "ia-2", 0));
        second.heartbeat("b", Heartbeats.of("b", "ib", second.directiveFor("b").generation(), "", 10, Map.of(), ""));

        assertThat(second.replicas()).filteredOn(r -> r.id().equals("a")).singleElement().satisfies(r -> {
            assertThat(r.state()).as("the drain ended with the process that asked for it").isEqualToIgnoringCase("active");
            assertThat(r.incarnation()).isEqualTo("ia-2");
        });
        assertThat(second.audit(50)).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo("restarted");
            assertThat(e.replica()).isEqualTo("a");
        });
        assertThat(second.audit(50)).filteredOn(e -> "b".equals(e.replica())).extracting(e -> e.type())
                .contains("confirmed").doesNotContain("restarted");
        assertThat(Heartbeats.cpus(second.directiveFor("a").target(Heartbeats.NODE).targetCpus()).isEmpty()).as("the new process gets CPUs again").isFalse();
    }

    @Test
    void theIncarnationOfAConfirmedReplicaIsPersistedEvenWhenNoDirectiveChanges() {
        Path file = dir.resolve("state.json");
        FileAssignmentStore store = new FileAssignmentStore(file);
        // an assignment persisted by a coordinator that did not record incarnations
        store.save(new io.tsfleet.coordinator.domain.state.AssignmentSnapshot(7, "0-11", Map.of("a", "0-11"), Map.of("a", "0-11"),
                List.of(), List.of(), Map.of(), java.util.Set.of()));
        Coordinator second = start(file);
        second.heartbeat("a", Heartbeats.of("a", "ia", 7, "0-11", 10, Map.of(), ""));
        assertThat(second.generation()).as("nothing to change").isEqualTo(7);
        assertThat(store.load()).get().satisfies(s -> assertThat(s.incarnations()).containsEntry("a", "ia"));

        Coordinator third = start(file);
        third.heartbeat("a", Heartbeats.of("a", "ia", 7, "0-11", 10, Map.of(), ""));
        assertThat(third.audit(50)).extracting(e -> e.type()).contains("confirmed").doesNotContain("restarted");
        assertThat(third.directiveFor("a").target(Heartbeats.NODE).targetCpus()).isEqualTo("0-11");
    }
}
