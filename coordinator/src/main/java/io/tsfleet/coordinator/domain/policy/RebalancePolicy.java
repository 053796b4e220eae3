package io.tsfleet.coordinator.domain.policy;

import java.time.Instant;
import java.util.Optional;

/**
 * Decides when a load-driven rebalance is due, with hysteresis so that the fleet never flaps: a condition must
 * hold for its sustain window, load-driven rebalances are at least a cooldown apart, and none starts while the
 * previous plan is still being reconciled. Membership and admin triggers bypass all of this (coverage first).
 */
public final class RebalancePolicy {
    private final PolicySettings settings;
    private Instant imbalancedSince;
    private Instant overCapacitySince;
    private Instant lastLoadRebalance;

    public RebalancePolicy(PolicySettings settings) {
        this.settings = settings;
    }

    public PolicySettings settings() {
        return settings;
    }

    /** Evaluates the load-driven triggers; returns the one that fires, if any. */
    public Optional<RebalanceTrigger> evaluate(FleetObservation o, Instant now) {
        boolean imbalanced = o.imbalance() > settings.imbalanceThreshold() * o.floor();
        imbalancedSince = imbalanced ? (imbalancedSince == null ? now : imbalancedSince) : null;
        boolean over = !o.overCapacity().isEmpty();
        overCapacitySince = over ? (overCapacitySince == null ? now : overCapacitySince) : null;
        if (o.reconciling()) return Optional.empty();
        if (lastLoadRebalance != null && now.isBefore(lastLoadRebalance.plus(settings.cooldown()))) return Optional.empty();
        if (!o.overflowing().isEmpty()) return Optional.of(RebalanceTrigger.OVERFLOW);
        if (over && !now.isBefore(overCapacitySince.plus(settings.imbalanceSustain()))) return Optional.of(RebalanceTrigger.CAPACITY);
        if (imbalanced && !now.isBefore(imbalancedSince.plus(settings.imbalanceSustain()))) return Optional.of(RebalanceTrigger.IMBALANCE);
        return Optional.empty();
    }

    /** Records that a load-driven plan was made (whether or not it moved anything): starts the cooldown. */
    public void loadRebalanceDone(Instant now) {
        lastLoadRebalance = now;
        imbalancedSince = null;
        overCapacitySince = null;
    }

    public Instant lastLoadRebalance() {
        return lastLoadRebalance;
    }
}
