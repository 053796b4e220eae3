package io.tsfleet.planner;

/**
 * The assignor SPI, in the style of Kafka's group-coordinator {@code PartitionAssignor}: a pure function from
 * the planning input (possible CPUs, live replicas and their capacities, the current assignment, per-CPU
 * loads and pins) to a target assignment. Stickiness is computed from the input's current assignment, never
 * from hidden state, so the same input always yields the same output.
 */
public interface CpuAssignor {

    /** A short, stable name (logged and shown in the audit log). */
    String name();

    /** Computes the target assignment. Must not mutate the input and must be deterministic. */
    TargetAssignment assign(PlanningInput input);
}
