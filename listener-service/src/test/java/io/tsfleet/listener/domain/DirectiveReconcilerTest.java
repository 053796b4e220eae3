package io.tsfleet.listener.domain;

import io.tsfleet.listener.domain.CpuState.Phase;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DirectiveReconcilerTest {

    private static DirectiveReconciler.ReplicaView view(long generation, Map<Integer, Phase> phases, Set<Integer> released) {
        return new DirectiveReconciler.ReplicaView(generation, phases, released);
    }

    private static ReplicaDirective directive(long generation, String target, Map<Integer, Long> fences) {
        return new ReplicaDirective(generation, target, fences, 1000, 10_000);
    }

    @Test
    void firstDirectiveAcquiresTheWholeTarget() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(0, Map.of(), Set.of()), directive(1, "0-3", Map.of()));
        assertThat(p.accepted()).isTrue();
        assertThat(p.acquire()).isEqualTo(CpuSet.range(0, 3));
        assertThat(p.leave().isEmpty()).isTrue();
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
        assertThat(p.acquire().isEmpty()).isTrue();
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
        assertThat(p.leave()).isEqualTo(CpuSet.of(1));
        assertThat(p.fences()).containsEntry(1, -1);
    }

    @Test
    void aCpuLeavingWithoutAFenceStaysRegistered() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(1, Map.of(0, Phase.OWNED, 1, Phase.OWNED), Set.of()), directive(2, "0", Map.of()));
        assertThat(p.leave()).isEqualTo(CpuSet.of(1));
        assertThat(p.fences()).isEmpty();
    }

    @Test
    void aFenceForACpuInTheTargetIsIgnored() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(1, Map.of(0, Phase.OWNED), Set.of()), directive(2, "0", Map.of(0, 5L)));
        assertThat(p.fences()).isEmpty();
        assertThat(p.ignoredFences()).containsExactly(0);
    }

    @Test
    void aCpuBackInTheTargetRejoins() {
        DirectivePlan p = DirectiveReconciler.reconcile(view(1, Map.of(2, Phase.LEAVING, 3, Phase.RELEASING), Set.of()), directive(2, "2-3", Map.of()));
        assertThat(p.rejoin()).isEqualTo(CpuSet.of(2, 3));
        assertThat(p.acquire().isEmpty()).isTrue();
    }

    @Test
    void releasedCpusAreAcknowledgedOnceTheirFenceIsGone() {
        DirectivePlan stillListed = DirectiveReconciler.reconcile(view(1, Map.of(), Set.of(4)), directive(1, "", Map.of(4, 9L)));
        assertThat(stillListed.acknowledged()).isEmpty();
        assertThat(stillListed.fences()).isEmpty();
        DirectivePlan gone = DirectiveReconciler.reconcile(view(1, Map.of(), Set.of(4)), directive(2, "", Map.of()));
        assertThat(gone.acknowledged()).containsExactly(4);
    }

    @Test
    void aNullDirectiveIsRefused() {
        assertThat(DirectiveReconciler.reconcile(view(0, Map.of(), Set.of()), null).accepted()).isFalse();
    }
}
