package io.tsfleet.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything the planner needs, immutable.
 *
 * @param possibleCpus the CPUs that must be covered
 * @param replicas     the live replicas (any order; the planner sorts by id)
 * @param current      the current owner masks by replica id; entries of replicas that are not live are ignored
 *                     (their CPUs count as uncovered), CPUs outside {@code possibleCpus} are ignored
 * @param cpuLoads     true exit rate per CPU (exits/s, lost records included), indexed by CPU; missing entries
 *                     count as 0
 * @param pins         CPUs an operator fixed to a replica ({@code PUT /replicas/{id}/mask}): such a replica
 *                     owns exactly its pinned CPUs
 * @param settings     tunables
 * @param mode         full planning or coverage only
 * @param topology     where the slots are (node of each slot, zone of each node); {@link SlotTopology#NONE} plans
 *                     without locality, exactly as before there was a topology
 */
public record PlanningInput(CpuSet possibleCpus, List<ReplicaSlot> replicas, Map<String, CpuSet> current,
                            double[] cpuLoads, Map<String, CpuSet> pins, PlannerSettings settings, PlanningMode mode,
                            SlotTopology topology) {

    public PlanningInput {
        Objects.requireNonNull(possibleCpus, "possibleCpus");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(topology, "topology");
        List<ReplicaSlot> sorted = new ArrayList<>(replicas);
        sorted.sort(Comparator.comparing(ReplicaSlot::id));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
                throw new IllegalArgumentException("duplicate replica id " + sorted.get(i).id());
            }
        }
        replicas = Collections.unmodifiableList(sorted);
        current = Collections.unmodifiableMap(new TreeMap<>(current));
        pins = Collections.unmodifiableMap(new TreeMap<>(pins));
        cpuLoads = cpuLoads.clone();
        for (double l : cpuLoads) {
            if (!(l >= 0) || Double.isInfinite(l)) throw new IllegalArgumentException("CPU loads must be finite and non-negative");
        }
    }

    /** An input without a topology (no locality). */
    public PlanningInput(CpuSet possibleCpus, List<ReplicaSlot> replicas, Map<String, CpuSet> current,
                         double[] cpuLoads, Map<String, CpuSet> pins, PlannerSettings settings, PlanningMode mode) {
        this(possibleCpus, replicas, current, cpuLoads, pins, settings, mode, SlotTopology.NONE);
    }

    public static PlanningInput of(CpuSet possibleCpus, List<ReplicaSlot> replicas, Map<String, CpuSet> current, double[] cpuLoads) {
        return new PlanningInput(possibleCpus, replicas, current, cpuLoads, Map.of(), PlannerSettings.DEFAULTS, PlanningMode.FULL);
    }

    /** The load of one CPU (0 when unknown). */
    public double load(int cpu) {
        return cpu < cpuLoads.length ? cpuLoads[cpu] : 0;
    }

    /** The loads without a copy, for the planner's own read-only use. */
    double[] loadsView() {
        return cpuLoads;
    }

    @Override
    public double[] cpuLoads() {
        return cpuLoads.clone();
    }

    public PlanningInput withMode(PlanningMode newMode) {
        return new PlanningInput(possibleCpus, replicas, current, cpuLoads, pins, settings, newMode, topology);
    }

    public PlanningInput withCurrent(Map<String, CpuSet> newCurrent) {
        return new PlanningInput(possibleCpus, replicas, newCurrent, cpuLoads, pins, settings, mode, topology);
    }

    public PlanningInput withReplicas(List<ReplicaSlot> newReplicas) {
        return new PlanningInput(possibleCpus, newReplicas, current, cpuLoads, pins, settings, mode, topology);
    }

    public PlanningInput withLoads(double[] newLoads) {
        return new PlanningInput(possibleCpus, replicas, current, newLoads, pins, settings, mode, topology);
    }

    public PlanningInput withPins(Map<String, CpuSet> newPins) {
        return new PlanningInput(possibleCpus, replicas, current, cpuLoads, newPins, settings, mode, topology);
    }

    public PlanningInput withTopology(SlotTopology newTopology) {
        return new PlanningInput(possibleCpus, replicas, current, cpuLoads, pins, settings, mode, newTopology);
    }
}
