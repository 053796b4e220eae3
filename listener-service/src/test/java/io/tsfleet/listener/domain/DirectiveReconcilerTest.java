package io.tsfleet.listener.domain;

import io.tsfleet.listener.domain.CpuState.Phase;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DirectiveReconcilerTest {

    private static final String NODE = "worker-1";

    /** A replica that holds CPUs of {@link #NODE} only. */
    private static DirectiveReconciler.ReplicaView view(long generation, Map<Integer, Phase> phases, Set<Integer> released) {
        return new DirectiveReconciler.ReplicaView(generation, Map.of(NODE, new DirectiveReconciler.NodeView(phases, released)));
    }

    private static ReplicaDirective directive(long generation, String target, Map<Integer, Long> fences) {
        return new ReplicaDirective(generation, List.of(new NodeTarget(NODE, null, null, target, fences)), 1000, 10_000);
    }

    private static NodePlan n(DirectivePlan p) {
        return p.nodes().get(NODE);
    }

    @Test
    void firstDirectiveAcquiresTheWholeTarget() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(0, Map.of(), Set.of()), directive(1, "0-3", Map.of()));
        assertThat(p.accepted()).isTrue();
        assertThat(n(p).acquire()).isEqualTo(CpuSet.range(0, 3));
        assertThat(n(p).leave().isEmpty()).isTrue();
    }

    @Test
    void aStaleGenerationIsRefused() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(5, Map.of(0, Phase.OWNED), Set.of()), directive(4, "", Map.of()));
        assertThat(p.accepted()).isFalse();
        assertThat(p.refusal()).contains("stale");
    }

    @Test
    void theSameGenerationIsAppliedAgain() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(5, Map.of(0, Phase.OWNED), Set.of()), directive(5, "0", Map.of()));
        assertThat(p.accepted()).isTrue();
        assertThat(n(p).acquire().isEmpty()).isTrue();
    }

    @Test
    void anInvalidCpulistRefusesTheDirective() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(1, Map.of(), Set.of()), directive(2, "0-", Map.of()));
        assertThat(p.accepted()).isFalse();
        assertThat(p.refusal()).contains("invalid targetCpus");
    }

    @Test
    void aFenceThatIsNotAU32RefusesTheDirective() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(1, Map.of(3, Phase.OWNED), Set.of()), directive(2, "", Map.of(3, 1L << 32)));
        assertThat(p.accepted()).isFalse();
        DirectivePlan q = DirectiveReconciler.reconcile(view(1, Map.of(3, Phase.OWNED), Set.of()), directive(2, "", Map.of(3, -1L)));
        assertThat(q.accepted()).isFalse();
    }

    @Test
    void aCpuLeavingTheTargetLeavesAndTakesItsFence() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(1, Map.of(0, Phase.OWNED, 1, Phase.OWNED), Set.of()),
                directive(2, "0", Map.of(1, 0xFFFF_FFFFL)));
        assertThat(n(p).leave()).isEqualTo(CpuSet.of(1));
        assertThat(n(p).fences()).containsEntry(1, -1);
    }

    @Test
    void aCpuLeavingWithoutAFenceStaysRegistered() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(1, Map.of(0, Phase.OWNED, 1, Phase.OWNED), Set.of()), directive(2, "0", Map.of()));
        assertThat(n(p).leave()).isEqualTo(CpuSet.of(1));
        assertThat(n(p).fences()).isEmpty();
    }

    @Test
    void aFenceForACpuInTheTargetIsIgnored() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(1, Map.of(0, Phase.OWNED), Set.of()), directive(2, "0", Map.of(0, 5L)));
        assertThat(n(p).fences()).isEmpty();
        assertThat(n(p).ignoredFences()).containsExactly(0);
    }

    @Test
    void aCpuBackInTheTargetRejoins() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(1, Map.of(2, Phase.LEAVING, 3, Phase.RELEASING), Set.of()), directive(2, "2-3", Map.of()));
        assertThat(n(p).rejoin()).isEqualTo(CpuSet.of(2, 3));
        assertThat(n(p).acquire().isEmpty()).isTrue();
    }

    @Test
    void releasedCpusAreAcknowledgedOnceTheirFenceIsGone() {
        DirectivePlan stillListed = DirectiveReconciler.reconcile(view(1, Map.of(), Set.of(4)), directive(1, "", Map.of(4, 9L)));
        assertThat(n(stillListed).acknowledged()).isEmpty();
        assertThat(n(stillListed).fences()).isEmpty();
        DirectivePlan gone = DirectiveReconciler.reconcile(view(1, Map.of(), Set.of(4)), directive(2, "", Map.of()));
        assertThat(n(gone).acknowledged()).containsExactly(4);
    }

    @Test
    void aNullDirectiveIsRefused() {
        assertThat(DirectiveReconciler.reconcile(view(0, Map.of(), Set.of()), null).accepted()).isFalse();
    }

    // ---- slots of several nodes ----

    private static final String OTHER = "worker-2";

    @Test
    void theSameCpuOfTwoNodesIsTwoSlots() {
        var view = new DirectiveReconciler.ReplicaView(3, Map.of(
                NODE, new DirectiveReconciler.NodeView(Map.of(5, Phase.OWNED), Set.of()),
                OTHER, new DirectiveReconciler.NodeView(Map.of(), Set.of())));
        DirectivePlan p = DirectiveReconciler.reconcile(view, new ReplicaDirective(4, List.of(
                new NodeTarget(NODE, null, null, "", Map.of(5, 77L)),
                new NodeTarget(OTHER, null, "10.0.0.12:7441", "5", Map.of())), 1000, 10_000));
        assertThat(p.accepted()).isTrue();
        assertThat(p.nodes().get(NODE).leave()).isEqualTo(CpuSet.of(5));
        assertThat(p.nodes().get(NODE).fences()).containsEntry(5, 77);
        assertThat(p.nodes().get(OTHER).acquire()).isEqualTo(CpuSet.of(5));
        assertThat(p.nodes().get(OTHER).fences()).isEmpty();
        assertThat(p.nodes().get(OTHER).broker()).isEqualTo("10.0.0.12:7441");
        assertThat(p.gone()).isEmpty();
    }

    @Test
    void aNodeMissingFromTheDirectiveIsGone() {
        var view = new DirectiveReconciler.ReplicaView(3, Map.of(
                NODE, new DirectiveReconciler.NodeView(Map.of(0, Phase.OWNED), Set.of()),
                OTHER, new DirectiveReconciler.NodeView(Map.of(1, Phase.LEAVING), Set.of(2))));
        DirectivePlan p = DirectiveReconciler.reconcile(view, directive(4, "0", Map.of()));
        assertThat(p.accepted()).isTrue();
        assertThat(p.gone()).containsExactly(OTHER);
        assertThat(p.nodes()).containsOnlyKeys(NODE);
    }

    @Test
    void aBadNodeEntryRefusesTheWholeDirective() {
        var view = view(1, Map.of(0, Phase.OWNED), Set.of());
        for (List<NodeTarget> bad : List.of(
                List.of(new NodeTarget("Worker_1", null, null, "0", Map.of())),
                List.of(new NodeTarget(NODE, null, null, "0", Map.of()), new NodeTarget(NODE, null, null, "1", Map.of())),
                List.of(new NodeTarget(NODE, "not-a-uuid", null, "0", Map.of())),
                List.of(new NodeTarget(NODE, null, null, "0", Map.of()), new NodeTarget(OTHER, null, null, "1-", Map.of())))) {
            DirectivePlan p = DirectiveReconciler.reconcile(view, new ReplicaDirective(2, bad, 1000, 10_000));
            assertThat(p.accepted()).as("%s", bad).isFalse();
            assertThat(p.gone()).isEmpty();
        }
    }

    @Test
    void aDirectiveWithoutNodesLeavesEveryNode() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(1, Map.of(0, Phase.OWNED), Set.of()), new ReplicaDirective(2, null, 1000, 10_000));
        assertThat(p.accepted()).isTrue();
        assertThat(p.gone()).containsExactly(NODE);
    }
}
