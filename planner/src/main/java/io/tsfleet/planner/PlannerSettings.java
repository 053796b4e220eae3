package io.tsfleet.planner;

/**
 * Tunables of the planner.
 *
 * @param headroom          the share of a replica's measured capacity that may be planned (hard constraint),
 *                          0 &lt; headroom &le; 1; Cruise Control's {@code cpu.capacity.threshold} default is 0.7
 * @param balanceTolerance  balancing stops once the most loaded replica is within this factor of the physical
 *                          lower bound {@code max(mean, largest CPU)}; must be below the policy's imbalance
 *                          threshold so that a fresh plan never re-triggers a rebalance (hysteresis band)
 * @param cpuBaseWeight     a fixed cost per CPU in exits/s added to every CPU's load (an owned CPU costs a
 *                          registration and a connection even when idle); with no load data at all it makes the
 *                          planner balance CPU counts
 */
public record PlannerSettings(double headroom, double balanceTolerance, double cpuBaseWeight) {
    public static final PlannerSettings DEFAULTS = new PlannerSettings(0.7, 1.05, 1.0);

    public PlannerSettings {
        if (!(headroom > 0 && headroom <= 1)) throw new IllegalArgumentException("headroom must be in (0, 1]: " + headroom);
        if (!(balanceTolerance >= 1 && balanceTolerance < 10)) {
            throw new IllegalArgumentException("balance tolerance must be in [1, 10): " + balanceTolerance);
        }
        if (!(cpuBaseWeight > 0 && cpuBaseWeight < 1e9)) throw new IllegalArgumentException("CPU base weight must be positive: " + cpuBaseWeight);
    }
}
