package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.ReconcilerSettings;
import io.tsfleet.planner.PlannerSettings;
import io.tsfleet.coordinator.domain.policy.PolicySettings;
import io.tsfleet.coordinator.domain.policy.ScalingSettings;
import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the domain needs to know, independent of how it was configured.
 *
 * @param possibleCpus      a static fleet's CPUs, the slots of its one node; empty: the slots are the CPUs of the nodes
 *                          that announce themselves (a cluster fleet)
 * @param heartbeatInterval how often replicas heartbeat (sent in every directive)
 * @param lease             how long a silent replica keeps its CPUs (sent in every directive); must exceed the
 *                          heartbeat interval
 * @param loadSmoothing     time constant of the per-CPU load average
 * @param auditCapacity     how many audit entries are kept
 * @param maxMembers        how many replicas (live or presumed) may be members at once; a heartbeat that would join
 *                          one more is refused
 * @param staticNode        the name of a static fleet's node (in directives and views)
 */
public record CoordinatorSettings(CpuSet possibleCpus, Duration heartbeatInterval, Duration lease, Duration loadSmoothing,
                                  PlannerSettings planner, PolicySettings policy, ReconcilerSettings reconciler,
                                  ScalingSettings scaling, int auditCapacity, int maxMembers, String staticNode) {
    /** The static node's name unless configured otherwise. */
    public static final String DEFAULT_STATIC_NODE = "local";

    public CoordinatorSettings {
        Objects.requireNonNull(possibleCpus, "possibleCpus");
        Objects.requireNonNull(staticNode, "staticNode");
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) throw new IllegalArgumentException("heartbeat interval must be positive");
        if (lease.compareTo(heartbeatInterval) <= 0) throw new IllegalArgumentException("the lease must be longer than the heartbeat interval");
        if (loadSmoothing.isNegative()) throw new IllegalArgumentException("load smoothing must not be negative");
        if (auditCapacity < 1) throw new IllegalArgumentException("audit capacity must be positive");
        if (maxMembers < 1) throw new IllegalArgumentException("the member limit must be positive");
        if (policy.imbalanceThreshold() <= planner.balanceTolerance()) {
            throw new IllegalArgumentException("the imbalance threshold (" + policy.imbalanceThreshold()
                    + ") must exceed the planner's balance tolerance (" + planner.balanceTolerance() + "), or plans would re-trigger themselves");
        }
    }

    public CoordinatorSettings(CpuSet possibleCpus, Duration heartbeatInterval, Duration lease, Duration loadSmoothing,
                               PlannerSettings planner, PolicySettings policy, ReconcilerSettings reconciler,
                               ScalingSettings scaling, int auditCapacity, int maxMembers) {
        this(possibleCpus, heartbeatInterval, lease, loadSmoothing, planner, policy, reconciler, scaling, auditCapacity, maxMembers,
                DEFAULT_STATIC_NODE);
    }

    /** Whether the slots are fixed CPUs of one node ({@code possible-cpus}) rather than the announced nodes'. */
    public boolean staticFleet() {
        return !possibleCpus.isEmpty();
    }

    /** With the default member limit: room for twice the most replicas scaling may ask for (a rolling update's surge). */
    public CoordinatorSettings(CpuSet possibleCpus, Duration heartbeatInterval, Duration lease, Duration loadSmoothing,
                               PlannerSettings planner, PolicySettings policy, ReconcilerSettings reconciler,
                               ScalingSettings scaling, int auditCapacity) {
        this(possibleCpus, heartbeatInterval, lease, loadSmoothing, planner, policy, reconciler, scaling, auditCapacity,
                defaultMaxMembers(scaling.maxReplicas()));
    }

    /** Twice {@code maxReplicas}: every replica and its replacement during a rolling update. */
    public static int defaultMaxMembers(int maxReplicas) {
        return (int) Math.min(Integer.MAX_VALUE, 2L * maxReplicas);
    }

    public static CoordinatorSettings defaults(CpuSet possibleCpus) {
        return new CoordinatorSettings(possibleCpus, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(30),
                PlannerSettings.DEFAULTS, PolicySettings.DEFAULTS,
                new ReconcilerSettings(Duration.ofSeconds(30), Duration.ofSeconds(30), 64), ScalingSettings.DEFAULTS, 1000);
    }
}
