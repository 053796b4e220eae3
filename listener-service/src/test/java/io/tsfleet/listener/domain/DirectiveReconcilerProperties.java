package io.tsfleet.listener.domain;

import io.tsfleet.listener.domain.CpuState.Phase;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-(node, CPU) reconciler over random replicas (up to three nodes, eight CPUs each, every phase) and random
 * directives: the slots of different nodes never influence each other, the order of the nodes in a directive does not
 * matter, a node the directive leaves out is gone, and the contract holds per node.
 */
class DirectiveReconcilerProperties {
    private static final List<String> NODES = List.of("worker-1", "worker-2", "worker-3");
    private static final Phase[] PHASES = Phase.values();

    private record Case(DirectiveReconciler.ReplicaView view, ReplicaDirective directive) {
    }

    private static Case randomCase(long seed) {
        Random rnd = new Random(seed);
        Map<String, DirectiveReconciler.NodeView> views = new TreeMap<>();
        for (String node : NODES) {
            if (rnd.nextInt(3) == 0) continue;
            Map<Integer, Phase> phases = new HashMap<>();
            Set<Integer> released = new HashSet<>();
            for (int cpu = 0; cpu < 8; cpu++) {
                int r = rnd.nextInt(6);
                if (r < PHASES.length) phases.put(cpu, PHASES[r]);
                else if (rnd.nextBoolean()) released.add(cpu);
            }
            views.put(node, new DirectiveReconciler.NodeView(phases, released));
        }
        List<NodeTarget> targets = new ArrayList<>();
        for (String node : NODES) {
            if (rnd.nextInt(3) == 0) continue;
            CpuSet.Builder target = CpuSet.builder();
            Map<Integer, Long> fences = new HashMap<>();
            for (int cpu = 0; cpu < 8; cpu++) {
                if (rnd.nextBoolean()) target.add(cpu);
                if (rnd.nextInt(3) == 0) fences.put(cpu, rnd.nextLong(1L << 32));
            }
            targets.add(new NodeTarget(node, null, rnd.nextBoolean() ? null : "10.0.0." + (1 + NODES.indexOf(node)) + ":7441",
                    target.build().toCpulist(), fences));
        }
        return new Case(new DirectiveReconciler.ReplicaView(3, views), new ReplicaDirective(3 + rnd.nextInt(2), targets, 1000, 10_000));
    }

    @Property(tries = 500)
    void eachNodeIsPlannedAsIfItWereTheOnlyOne(@ForAll @LongRange long seed) {
        Case c = randomCase(seed);
        DirectivePlan plan = DirectiveReconciler.reconcile(c.view(), c.directive());
        assertThat(plan.accepted()).isTrue();
        for (NodeTarget t : c.directive().nodes()) {
            DirectiveReconciler.NodeView alone = c.view().nodes().getOrDefault(t.node(), DirectiveReconciler.NodeView.EMPTY);
            DirectivePlan single = DirectiveReconciler.reconcile(
                    new DirectiveReconciler.ReplicaView(3, alone == DirectiveReconciler.NodeView.EMPTY ? Map.of() : Map.of(t.node(), alone)),
                    new ReplicaDirective(c.directive().generation(), List.of(t), 1000, 10_000));
            assertThat(plan.nodes().get(t.node())).isEqualTo(single.nodes().get(t.node()));
        }
    }

    @Property(tries = 300)
    void theOrderOfTheNodesDoesNotMatter(@ForAll @LongRange long seed) {
        Case c = randomCase(seed);
        List<NodeTarget> shuffled = new ArrayList<>(c.directive().nodes());
        Collections.shuffle(shuffled, new Random(seed ^ 0x5DEECE66DL));
        DirectivePlan a = DirectiveReconciler.reconcile(c.view(), c.directive());
        DirectivePlan b = DirectiveReconciler.reconcile(c.view(), new ReplicaDirective(c.directive().generation(), shuffled, 1000, 10_000));
        assertThat(b).isEqualTo(a);
    }

    @Property(tries = 500)
    void theContractHoldsPerNode(@ForAll @LongRange long seed) {
        Case c = randomCase(seed);
        DirectivePlan plan = DirectiveReconciler.reconcile(c.view(), c.directive());
        Set<String> named = new HashSet<>();
        c.directive().nodes().forEach(t -> named.add(t.node()));
        Set<String> gone = new HashSet<>(c.view().nodes().keySet());
        gone.removeAll(named);
        assertThat(plan.gone()).isEqualTo(gone);
        assertThat(plan.nodes().keySet()).isEqualTo(named);
        for (NodePlan p : plan.nodes().values()) {
            Map<Integer, Phase> phases = c.view().nodes().getOrDefault(p.node(), DirectiveReconciler.NodeView.EMPTY).phases();
            for (int cpu = 0; cpu < 8; cpu++) {
                Phase ph = phases.get(cpu);
                boolean held = ph != null && ph != Phase.RELEASED;
                boolean inTarget = p.target().contains(cpu);
                assertThat(p.acquire().contains(cpu)).as("acquire %s/%d", p.node(), cpu).isEqualTo(inTarget && !held);
                assertThat(p.leave().contains(cpu)).as("leave %s/%d", p.node(), cpu).isEqualTo(!inTarget && ph == Phase.OWNED);
                assertThat(p.rejoin().contains(cpu)).as("rejoin %s/%d", p.node(), cpu)
                        .isEqualTo(inTarget && (ph == Phase.LEAVING || ph == Phase.RELEASING));
                if (p.fences().containsKey(cpu)) assertThat(held && !inTarget).as("fence %s/%d", p.node(), cpu).isTrue();
            }
        }
    }
}
