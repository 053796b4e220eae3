package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.HandoverPhase;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.planner.PlanningMode;
import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Something the coordinator did that the audit log records, as data: one record per {@link AuditType}. The steps
 * return these (see {@link Effects}); {@link AuditWording} turns each into the text of its audit entry, in one place.
 */
public sealed interface FleetEvent {

    AuditType type();

    /** The replica concerned, or null. */
    default String replica() {
        return null;
    }

    /** The CPU concerned, or -1. */
    default int cpu() {
        return -1;
    }

    /** The node concerned (the node events'), or null; a CPU's node comes from the slot ({@link AuditLog}). */
    default String node() {
        return null;
    }

    /** The coordinator started without a persisted assignment. */
    record Started() implements FleetEvent {
        public AuditType type() { return AuditType.START; }
    }

    /** The coordinator recovered the persisted assignment of {@code generation}. */
    record Recovered(long generation, int replicas, int handovers, int releases, int loadedCpus, String droppedCpus) implements FleetEvent {
        public AuditType type() { return AuditType.RECOVERED; }
    }

    /** A new member, registered on {@code owned}. */
    record Joined(String replica, CpuSet owned) implements FleetEvent {
        public AuditType type() { return AuditType.JOINED; }
    }

    /** A member recovered from the persisted assignment heartbeated as the same process. */
    record Confirmed(String replica) implements FleetEvent {
        public AuditType type() { return AuditType.CONFIRMED; }
    }

    /**
     * Another process with a member's id replaced it.
     *
     * @param predecessorLeaseEnd when the predecessor's lease ended (null when it was presumed)
     */
    record Restarted(String replica, String incarnation, String predecessorIncarnation, boolean predecessorPresumed,
                     Instant predecessorLeaseEnd) implements FleetEvent {
        public AuditType type() { return AuditType.RESTARTED; }
    }

    /** A replica had applied {@code applied}, above this coordinator's generation, which was raised above it. */
    record GenerationRaised(String replica, long applied) implements FleetEvent {
        public AuditType type() { return AuditType.GENERATION_RAISED; }
    }

    /** No replica heartbeated for a {@code lease}: every lease is extended once. */
    record FleetSilent(Duration lease) implements FleetEvent {
        public AuditType type() { return AuditType.FLEET_SILENT; }
    }

    /** The first heartbeat after the whole fleet was silent. */
    record FleetHeard(String replica) implements FleetEvent {
        public AuditType type() { return AuditType.FLEET_HEARD; }
    }

    /** A member sent no heartbeat for a {@code lease}. */
    record Expired(String replica, Duration lease) implements FleetEvent {
        public AuditType type() { return AuditType.EXPIRED; }
    }

    /** The coordinator itself did not run for {@code stall}. */
    record Stalled(Duration stall) implements FleetEvent {
        public AuditType type() { return AuditType.STALLED; }
    }

    /** An operator pinned {@code cpus} to a replica. */
    record MaskSet(String replica, CpuSet cpus) implements FleetEvent {
        public AuditType type() { return AuditType.MASK_SET; }
    }

    /** An operator removed a replica's pin. */
    record MaskCleared(String replica) implements FleetEvent {
        public AuditType type() { return AuditType.MASK_CLEARED; }
    }

    /** A plan was applied: {@code moves} CPUs to move, the imbalance {@code before} and {@code after} against its {@code floor}. */
    record PlanMade(RebalanceTrigger trigger, PlanningMode mode, int moves, double before, double after, double floor,
                    CpuSet hotCpus, Set<String> overCapacity) implements FleetEvent {
        public AuditType type() { return AuditType.PLAN; }
    }

    /**
     * A load-driven rebalance that was not made: the plan moves nothing, or does not improve what triggered it
     * ({@code before} and {@code after}: the imbalance for an imbalance trigger, else the load above the headroom limits).
     */
    record RebalanceSkipped(RebalanceTrigger trigger, boolean movesNothing, double before, double after, int desiredReplicas,
                            CpuSet hotCpus) implements FleetEvent {
        public AuditType type() { return AuditType.REBALANCE_SKIPPED; }
    }

    /** A replica started draining, because it said so or because an operator asked for it ({@code byAdmin}). */
    record DrainStarted(String replica, boolean byAdmin) implements FleetEvent {
        public AuditType type() { return AuditType.DRAINING; }
    }

    /** The store did not take {@code generation}. */
    record PersistFailed(long generation, String error) implements FleetEvent {
        public AuditType type() { return AuditType.PERSIST_FAILED; }
    }

    /** A handover of {@code cpu} to {@code replica} was rolled back in {@code phase}: the CPU stays with {@code owner}. */
    record HandoverRolledBack(int cpu, String replica, String owner, HandoverPhase phase, String reason) implements FleetEvent {
        public AuditType type() { return AuditType.HANDOVER_ROLLED_BACK; }
    }

    /** {@code replica} took {@code cpu} without a handover, because its owner was gone. */
    record OwnershipTaken(int cpu, String replica, String reason) implements FleetEvent {
        public AuditType type() { return AuditType.OWNERSHIP_TAKEN; }
    }

    /** {@code replica} is registered on {@code cpu} without owning it and was told to release it after {@code fence}. */
    record StrayFenced(int cpu, String replica, long fence) implements FleetEvent {
        public AuditType type() { return AuditType.STRAY_FENCED; }
    }

    /** {@code replica} did not release {@code cpu} in time after {@code fence}. */
    record ReleaseStuck(int cpu, String replica, long fence) implements FleetEvent {
        public AuditType type() { return AuditType.RELEASE_STUCK; }
    }

    /** A node agent announced a node the coordinator did not hold. */
    record NodeJoined(String node, String bootId, CpuSet possibleCpus, String broker, String delayAccounting) implements FleetEvent {
        public AuditType type() { return AuditType.NODE_JOINED; }
    }

    /** A known node announced another boot id: its kernel restarted, its per-CPU sequences start anew. */
    record NodeRebooted(String node, String previousBootId, String bootId) implements FleetEvent {
        public AuditType type() { return AuditType.NODE_REBOOTED; }
    }

    /** A node did not announce itself for {@code lease} and was dropped. */
    record NodeExpired(String node, String bootId, Duration lease) implements FleetEvent {
        public AuditType type() { return AuditType.NODE_EXPIRED; }
    }

    /** A node's agent withdrew it (shutdown). */
    record NodeLeft(String node, String bootId) implements FleetEvent {
        public AuditType type() { return AuditType.NODE_LEFT; }
    }

    /** The listener Deployment {@code target} was scaled (an adapter's action). */
    record Scaled(String target, int from, int to) implements FleetEvent {
        public AuditType type() { return AuditType.SCALED; }
    }
}
