package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The planner's answer.
 *
 * @param masks          target mask per input replica (every input replica has an entry, possibly empty)
 * @param moves          CPUs whose owner changes from one live replica to another, ascending by CPU
 * @param hotCpus        CPUs whose load alone exceeds the headroom limit of every replica (an alert)
 * @param dedicated      replicas given to one hot CPU each (replica id to CPU)
 * @param overCapacity   replicas planned above their headroom limit because no feasible plan was found
 * @param projectedLoad  planned load per replica that is not draining (exits/s, base weight not included)
 * @param unplaced       possible CPUs without an owner (only when there is no replica at all)
 */
public record TargetAssignment(Map<String, CpuSet> masks, List<CpuMove> moves, CpuSet hotCpus,
                               Map<String, Integer> dedicated, Set<String> overCapacity,
                               Map<String, Double> projectedLoad, CpuSet unplaced) {

    public TargetAssignment {
        masks = Collections.unmodifiableMap(new TreeMap<>(masks));
        moves = List.copyOf(moves);
        dedicated = Collections.unmodifiableMap(new TreeMap<>(dedicated));
        overCapacity = Collections.unmodifiableSet(new TreeSet<>(overCapacity));
        projectedLoad = Collections.unmodifiableMap(new TreeMap<>(projectedLoad));
    }

    public CpuSet maskOf(String replicaId) {
        return masks.getOrDefault(replicaId, CpuSet.EMPTY);
    }

    /** The projected imbalance: most loaded replica over the mean (1 when there is no load). */
    public double imbalanceRatio() {
        return LoadStats.imbalance(projectedLoad.values());
    }
}
