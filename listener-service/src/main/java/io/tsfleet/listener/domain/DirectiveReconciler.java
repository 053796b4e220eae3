package io.tsfleet.listener.domain;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.netlink.SerialNumbers;
import io.tsfleet.protocol.netlink.U32;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a {@link ReplicaDirective} into a {@link DirectivePlan} against the replica's current state, following the
 * directive's contract: a lower generation than the one applied is stale and refused; a target that is not a valid
 * cpulist, or a fence that is not a u32, refuses the whole directive (bad input changes nothing); a CPU that left
 * the target stays registered until its fence; a fence is only meaningful for a CPU that is not in the target.
 */
public final class DirectiveReconciler {
    private DirectiveReconciler() {
    }

    /**
     * The replica as the reconciler needs to see it.
     *
     * @param generation      the highest generation applied
     * @param phases          every CPU the replica holds a registration (or a registration attempt) for
     * @param releasedPending released CPUs not yet acknowledged by the coordinator
     */
    public record ReplicaView(long generation, Map<Integer, CpuState.Phase> phases, Set<Integer> releasedPending) {
    }

    public static DirectivePlan reconcile(ReplicaView view, ReplicaDirective directive) {
        if (directive == null) return DirectivePlan.refused("no directive", view.generation());
        if (directive.generation() < view.generation()) {
            return DirectivePlan.refused("stale generation " + directive.generation() + " < applied " + view.generation(), directive.generation());
        }
        CpuSet target;
        try {
            target = CpulistParser.parse(directive.targetCpus() == null ? "" : directive.targetCpus(), CpulistParser.MAX_NR_CPUS);
        } catch (CpulistParseException e) {
            return DirectivePlan.refused("invalid targetCpus '" + directive.targetCpus() + "': " + e.getMessage(), directive.generation());
        }
        Map<Integer, Long> rawFences = directive.releaseFences() == null ? Map.of() : directive.releaseFences();
        for (Map.Entry<Integer, Long> f : rawFences.entrySet()) {
            if (f.getKey() == null || f.getKey() < 0 || f.getKey() >= CpulistParser.MAX_NR_CPUS) {
                return DirectivePlan.refused("fence for an impossible cpu " + f.getKey(), directive.generation());
            }
            if (f.getValue() == null || !U32.fits(f.getValue())) {
                return DirectivePlan.refused("fence " + f.getValue() + " of cpu " + f.getKey() + " is not a u32", directive.generation());
            }
        }

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
        return new DirectivePlan(true, null, directive.generation(), target, acquire.build(), leave.build(), rejoin.build(),
                fences, ignored, acknowledged);
    }
}
