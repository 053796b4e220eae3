package io.tsfleet.coordinator.domain.fleet;

/** Where the reconciler reports what it did: the coordinator turns it into audit entries and counters. */
public interface FleetJournal {

    void handoverStarted(Handover h);

    /** The new owner took over at the fence (the CPU moved). */
    void handoverFenced(Handover h, long fence);

    void handoverCompleted(Handover h);

    void handoverRolledBack(Handover h, String reason);

    /** A replica became owner without make-before-break (no previous owner, or the previous one died). */
    void ownershipTaken(int cpu, String replica, String reason);

    void strayFenced(int cpu, String replica, long fence);

    void releaseStuck(Release r);
}
