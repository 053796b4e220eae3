package io.tsfleet.coordinator.domain.state;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The persisted assignment: enough for a restarted (or newly elected) coordinator to continue where the previous
 * one stopped, without reshuffling. Written before the directives of a generation are handed out, so no replica
 * can have applied a generation the store does not know. CPU sets are canonical cpulists.
 *
 * @param generation   the last generation handed out
 * @param possibleCpus the possible CPU set it was planned for
 * @param owners       committed owner mask per replica
 * @param targets      planned target mask per replica
 * @param handovers    handovers in flight
 * @param releases     releases (fences) still pending
 * @param pins         operator pins per replica
 * @param draining     replicas being drained
 * @param loads        the smoothed load (exits/s) per CPU when it was written, so that a coordinator that takes
 *                     over plans with the loads its predecessor planned with instead of reshuffling on a few seconds
 *                     of fresh, noisy rates (empty in snapshots written before loads were persisted)
 * @param incarnations the process incarnation of each replica when it was written, so that a recovered replica
 *                     that comes back as another process is known to be a restarted one (whose drain and handovers
 *                     ended with its predecessor), not the same process (empty in snapshots written before
 *                     incarnations were persisted)
 * @param nodes        the nodes and the block of slot indices each holds, when the slots come from announced nodes
 *                     (empty for a static fleet, whose slots are its CPUs); the CPU sets above are sets of slot indices
 */
public record AssignmentSnapshot(long generation, String possibleCpus, Map<String, String> owners,
                                 Map<String, String> targets, List<HandoverRecord> handovers,
                                 List<ReleaseRecord> releases, Map<String, String> pins, Set<String> draining,
                                 Map<Integer, Double> loads, Map<String, String> incarnations, List<NodeRecord> nodes) {

    public static final int FORMAT_VERSION = 1;
    /** The largest generation there can be: 2^53 - 1, the largest integer every JSON reader keeps exactly. */
    public static final long MAX_GENERATION = (1L << 53) - 1;

    public AssignmentSnapshot {
        Objects.requireNonNull(possibleCpus, "possibleCpus");
        owners = Collections.unmodifiableMap(new TreeMap<>(owners));
        targets = Collections.unmodifiableMap(new TreeMap<>(targets));
        handovers = List.copyOf(handovers);
        releases = List.copyOf(releases);
        pins = Collections.unmodifiableMap(new TreeMap<>(pins));
        draining = Collections.unmodifiableSet(new TreeSet<>(draining));
        loads = loads == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(loads));
        incarnations = incarnations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(incarnations));
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        if (generation < 0 || generation > MAX_GENERATION) {
            throw new IllegalArgumentException("generation " + generation + " is outside 0.." + MAX_GENERATION);
        }
    }

    /** A snapshot of a static fleet (no nodes). */
    public AssignmentSnapshot(long generation, String possibleCpus, Map<String, String> owners, Map<String, String> targets,
                              List<HandoverRecord> handovers, List<ReleaseRecord> releases, Map<String, String> pins, Set<String> draining,
                              Map<Integer, Double> loads, Map<String, String> incarnations) {
        this(generation, possibleCpus, owners, targets, handovers, releases, pins, draining, loads, incarnations, List.of());
    }

    /** A snapshot without incarnations. */
    public AssignmentSnapshot(long generation, String possibleCpus, Map<String, String> owners, Map<String, String> targets,
                              List<HandoverRecord> handovers, List<ReleaseRecord> releases, Map<String, String> pins, Set<String> draining,
                              Map<Integer, Double> loads) {
        this(generation, possibleCpus, owners, targets, handovers, releases, pins, draining, loads, Map.of(), List.of());
    }

    /** A snapshot without loads. */
    public AssignmentSnapshot(long generation, String possibleCpus, Map<String, String> owners, Map<String, String> targets,
                              List<HandoverRecord> handovers, List<ReleaseRecord> releases, Map<String, String> pins, Set<String> draining) {
        this(generation, possibleCpus, owners, targets, handovers, releases, pins, draining, Map.of(), Map.of(), List.of());
    }

    /**
     * A handover in flight; {@code fence} is null before the new owner reported its first sequence number,
     * {@code makeGeneration} (the generation that asked the new owner to register) is null before MAKE.
     */
    public record HandoverRecord(int cpu, String from, String to, String phase, long phaseGeneration, Long fence, Long makeGeneration) {
    }

    /** A node and its block of slot indices: slot {@code offset + cpu} is CPU {@code cpu} of the node. */
    public record NodeRecord(String name, String bootId, String broker, String zone, String cpus, int offset) {
    }

    public record ReleaseRecord(int cpu, String replica, long fence, long generation) {
    }
}
