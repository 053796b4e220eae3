package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.Map;

/** Step 1: a pinned replica owns exactly its pinned CPUs. Pins are applied in replica id order; the first wins. */
final class PinApplication {
    private PinApplication() {
    }

    static void apply(PlanningState s, PlanningInput input) {
        CpuSet taken = CpuSet.EMPTY;
        for (Map.Entry<String, CpuSet> e : input.pins().entrySet()) {
            int r = s.index(e.getKey());
            if (r == PlanningState.NONE || s.role[r] == ReplicaRole.DRAINING) continue;
            CpuSet pinned = e.getValue().intersect(s.possible).minus(taken);
            taken = taken.union(pinned);
            s.role[r] = ReplicaRole.PINNED;
            // Loop over a snapshot of the replica's CPUs: at most n iterations.
            for (int c : s.cpusOf[r].toArray()) {
                if (!pinned.contains(c)) s.unassign(c);
            }
            pinned.forEach(c -> {
                s.assign(c, r);
                s.lock(c);
            });
        }
    }
}
