package io.tsfleet.planner;

/** How much the planner may change. */
public enum PlanningMode {
    /** Coverage, capacity, balance and hot-CPU isolation. */
    FULL,
    /**
     * Only give owners to CPUs that have none (dead, draining or unpinned owners, new CPUs); keep everything else
     * as it is. Used while loads are not yet known, e.g. right after a coordinator restart, so that a recovered
     * assignment is never reshuffled on missing data.
     */
    COVERAGE_ONLY
}
