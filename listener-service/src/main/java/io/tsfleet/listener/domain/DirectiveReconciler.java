package io.tsfleet.listener.domain;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.netlink.SerialNumbers;
import io.tsfleet.protocol.netlink.U32;
import io.tsfleet.protocol.sock.SockProtocol;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a {@link ReplicaDirective} into a {@link DirectivePlan} against the replica's current state, following the
 * directive's contract, per slot (node, CPU): a lower generation than the one applied is stale and refused; a node
 * name that is not a DNS subdomain, a node named twice, a target that is not a valid cpulist, or a fence that is not
 * a u32 refuses the whole directive (bad input changes nothing); a CPU that left a node's target stays registered
 * until its fence; a fence is only meaningful for a CPU that is not in the node's target; a node the replica holds
 * state for that the directive does not name is gone.
 */
public final class DirectiveReconciler {
    private DirectiveReconciler() {
    }

    /**
     * One node as the reconciler needs to see it.
     *
     * @param phases          every CPU of the node the replica holds a registration (or a registration attempt) for
     * @param releasedPending released CPUs of the node not yet acknowledged by the coordinator
     */
    public record NodeView(Map<Integer, CpuState.Phase> phases, Set<Integer> releasedPending) {
        public static final NodeView EMPTY = new NodeView(Map.of(), Set.of());
    }

    /**
     * The replica as the reconciler needs to see it.
     *
     * @param generation the highest generation applied
     * @param nodes      every node the replica holds state for (slots, a target, or released CPUs not yet acknowledged)
     */
    public record ReplicaView(long generation, Map<String, NodeView> nodes) {
    }

    public static DirectivePlan reconcile(ReplicaView view, ReplicaDirective directive) {
        if (directive == null) return DirectivePlan.refused("no directive", view.generation());
        if (directive.generation() < view.generation()) {
            return DirectivePlan.refused("stale generation " + directive.generation() + " < applied " + view.generation(), directive.generation());
        }
        Map<String, NodePlan> plans = new TreeMap<>();
        if (directive.nodes() != null) {
            for (NodeTarget t : directive.nodes()) {
                if (t == null) return DirectivePlan.refused("a null node target", directive.generation());
                if (!SockProtocol.isValidNodeName(t.node())) {
                    return DirectivePlan.refused("node '" + t.node() + "' is not a DNS subdomain of at most "
                            + SockProtocol.MAX_NODE_NAME_LENGTH + " characters", directive.generation());
                }
                if (plans.containsKey(t.node())) return DirectivePlan.refused("node '" + t.node() + "' is named twice", directive.generation());
                if (t.bootId() != null && !SockProtocol.isValidBootId(t.bootId())) {
                    return DirectivePlan.refused("bootId '" + t.bootId() + "' of node " + t.node() + " is not a lower-case UUID", directive.generation());
                }
                String refusal = check(t);
                if (refusal != null) return DirectivePlan.refused(refusal, directive.generation());
                plans.put(t.node(), reconcileNode(view.nodes().getOrDefault(t.node(), NodeView.EMPTY), t));
            }
        }
        Set<String> gone = new TreeSet<>(view.nodes().keySet());
        gone.removeAll(plans.keySet());
        return new DirectivePlan(true, null, directive.generation(), plans, gone);
    }

    /** Why the node's target or fences are invalid, or null. */
    private static String check(NodeTarget t) {
        try {
            CpulistParser.parse(t.targetCpus() == null ? "" : t.targetCpus(), CpulistParser.MAX_NR_CPUS);
        } catch (CpulistParseException e) {
            return "invalid targetCpus '" + t.targetCpus() + "' of node " + t.node() + ": " + e.getMessage();
        }
        Map<Integer, Long> fences = t.releaseFences() == null ? Map.of() : t.releaseFences();
        for (Map.Entry<Integer, Long> f : fences.entrySet()) {
            if (f.getKey() == null || f.getKey() < 0 || f.getKey() >= CpulistParser.MAX_NR_CPUS) {
                return "fence for an impossible cpu " + f.getKey() + " of node " + t.node();
            }
            if (f.getValue() == null || !U32.fits(f.getValue())) {
                return "fence " + f.getValue() + " of cpu " + f.getKey() + " of node " + t.node() + " is not a u32";
            }
        }
        return null;
    }

    /** The plan of one node, whose target {@link #check} accepted. */
    private static NodePlan reconcileNode(NodeView view, NodeTarget t) {
        CpuSet target;
        try {
            target = CpulistParser.parse(t.targetCpus() == null ? "" : t.targetCpus(), CpulistParser.MAX_NR_CPUS);
        } catch (CpulistParseException e) {
            throw new IllegalStateException("checked before", e);
        }
        Map<Integer, Long> rawFences = t.releaseFences() == null ? Map.of() : t.releaseFences();
        CpuSet.Builder acquire = CpuSet.builder();
        CpuSet.Builder rejoin = CpuSet.builder();
        target.forEach(cpu -> {
            CpuState.Phase p = view.phases().get(cpu);
            if (p == null || p == CpuState.Phase.RELEASED) acquire.add(cpu);
            else if (p == CpuState.Phase.LEAVING || p == CpuState.Phase.RELEASING) rejoin.add(cpu);
        });
        CpuSet.Builder leave = CpuSet.builder();
        for (Map.Entry<Integer, CpuState.Phase> e : view.phases().entrySet()) {
            if (!target.contains(e.getKey()) && e.getValue() == CpuState.Phase.OWNED) leave.add(e.getKey());
        }
        Map<Integer, Integer> fences = new TreeMap<>();
        Set<Integer> ignored = new TreeSet<>();
        for (Map.Entry<Integer, Long> f : rawFences.entrySet()) {
            int cpu = f.getKey();
            if (target.contains(cpu)) {
                ignored.add(cpu);
                continue;
            }
            CpuState.Phase p = view.phases().get(cpu);
            if (p != null && p != CpuState.Phase.RELEASED) fences.put(cpu, SerialNumbers.fromUnsigned(f.getValue()));
        }
        Set<Integer> acknowledged = new TreeSet<>();
        for (int cpu : view.releasedPending()) {
            if (!rawFences.containsKey(cpu)) acknowledged.add(cpu);
        }
        return new NodePlan(t.node(), t.bootId(), t.broker() == null || t.broker().isBlank() ? null : t.broker().trim(), target,
                acquire.build(), leave.build(), rejoin.build(), fences, ignored, acknowledged);
    }
}
