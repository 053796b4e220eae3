package io.tsfleet.coordinator.domain.policy;

import java.time.Duration;

/**
 * @param minReplicas              the recommendation never goes below this
 * @param maxReplicas              nor above this
 * @param tolerance                no change while the raw need is within this share of the current size (HPA: 0.1)
 * @param scaleDownStabilization   scale down only to the highest recommendation of this window (HPA: 300 s)
 */
public record ScalingSettings(int minReplicas, int maxReplicas, double tolerance, Duration scaleDownStabilization) {
    public static final ScalingSettings DEFAULTS = new ScalingSettings(1, 256, 0.1, Duration.ofSeconds(300));

    public ScalingSettings {
        if (minReplicas < 1 || maxReplicas < minReplicas) throw new IllegalArgumentException("need 1 <= min replicas <= max replicas");
        if (!(tolerance >= 0 && tolerance < 1)) throw new IllegalArgumentException("tolerance must be in [0, 1)");
        if (scaleDownStabilization.isNegative()) throw new IllegalArgumentException("stabilization window must not be negative");
    }
}
