package io.tsfleet.coordinator.domain.policy;

import java.time.Instant;
import java.util.Optional;

/**
 * Decides when a load-driven rebalance is due, with hysteresis so that the fleet never flaps: a condition must
 * hold for its sustain window, load-driven rebalances are at least a cooldown apart, and none starts while the
 * previous plan is still being reconciled. Membership and admin triggers bypass all of this (coverage first).
 *
 * <p>One exception to the cooldown: an overflow that outlasts an applied overflow plan (the plan moved too little,
 * or a replica that took CPUs overflows now) is planned for again once that plan's handovers are done and the loss
 * has gone on for the overflow sustain window since. The cooldown keeps balanced states from flapping; it must not
 * make records be lost for its whole length. A retry that is not applied (it would not help) ends the exception until
 * the next applied overflow plan, so a fleet that is simply too small is not re-planned every tick.
 */
public final class RebalancePolicy {
    private final PolicySettings settings;
    private Instant imbalancedSince;
    private Instant overCapacitySince;
    private Instant lastLoadRebalance;
    private boolean overflowRetry;
    private Instant reconciledSince;

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
        if (o.reconciling()) {
            reconciledSince = null;
            return Optional.empty();
        }
        if (reconciledSince == null) reconciledSince = now;
        if (lastLoadRebalance != null && now.isBefore(lastLoadRebalance.plus(settings.cooldown()))) {
            boolean overflowOutlastedThePlan = overflowRetry && !o.overflowing().isEmpty()
                    && !now.isBefore(reconciledSince.plus(settings.overflowSustain()));
            return overflowOutlastedThePlan ? Optional.of(RebalanceTrigger.OVERFLOW) : Optional.empty();
        }
        if (!o.overflowing().isEmpty()) return Optional.of(RebalanceTrigger.OVERFLOW);
        if (over && !now.isBefore(overCapacitySince.plus(settings.imbalanceSustain()))) return Optional.of(RebalanceTrigger.CAPACITY);
        if (imbalanced && !now.isBefore(imbalancedSince.plus(settings.imbalanceSustain()))) return Optional.of(RebalanceTrigger.IMBALANCE);
        return Optional.empty();
    }

    /** Records that a load-driven plan was made (whether or not it moved anything): starts the cooldown. */
    public void loadRebalanceDone(Instant now) {
        loadRebalanceDone(now, false);
    }

    /**
     * Records that a load-driven plan was made; {@code appliedOverflowPlan}: it was an overflow plan and it was
     * applied (it moved CPUs), so an overflow that outlasts it may be planned for again within the cooldown.
     */
    public void loadRebalanceDone(Instant now, boolean appliedOverflowPlan) {
        overflowRetry = appliedOverflowPlan;
        lastLoadRebalance = now;
        imbalancedSince = null;
        overCapacitySince = null;
    }

    public Instant lastLoadRebalance() {
        return lastLoadRebalance;
    }
}
