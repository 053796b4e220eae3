package io.tsfleet.coordinator.domain.policy;

import java.util.Locale;

/** Why a plan was made (the {@code trigger} label of {@code tsfleet_coordinator_rebalances_total}). */
public enum RebalanceTrigger {
    /** A replica joined, died, started draining, or a CPU has no owner. Immediate. */
    MEMBERSHIP,
    /** A replica kept losing records (sequence gaps, ENOBUFS) for the sustain window. */
    OVERFLOW,
    /** A replica stayed above its headroom limit for the sustain window. */
    CAPACITY,
    /** The imbalance stayed above the threshold times the physical floor for the sustain window. */
    IMBALANCE,
    /** An operator: {@code POST /rebalance}, {@code PUT /replicas/{id}/mask}, {@code POST /replicas/{id}/drain}. */
    ADMIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
