package io.tsfleet.coordinator.domain.policy;

import java.time.Duration;

/**
 * Hysteresis of the rebalancing policy.
 *
 * @param imbalanceThreshold a load-driven rebalance needs {@code imbalance > threshold x floor} (Cruise Control's
 *                           1.10 default); must exceed the planner's balance tolerance
 * @param imbalanceSustain   how long the imbalance (or a capacity excess) must last
 * @param overflowSustain    how long a replica must keep losing records
 * @param cooldown           the minimum time between two load-driven rebalances
 * @param loadWarmup         how long after start the loads are considered unknown (coverage-only planning)
 */
public record PolicySettings(double imbalanceThreshold, Duration imbalanceSustain, Duration overflowSustain,
                             Duration cooldown, Duration loadWarmup) {
    public static final PolicySettings DEFAULTS = new PolicySettings(1.10, Duration.ofSeconds(60), Duration.ofSeconds(10),
            Duration.ofSeconds(120), Duration.ofSeconds(15));

    public PolicySettings {
        if (!(imbalanceThreshold > 1)) throw new IllegalArgumentException("imbalance threshold must be above 1: " + imbalanceThreshold);
        for (Duration d : new Duration[]{imbalanceSustain, overflowSustain, cooldown, loadWarmup}) {
            if (d.isNegative()) throw new IllegalArgumentException("durations must not be negative");
        }
    }
}
