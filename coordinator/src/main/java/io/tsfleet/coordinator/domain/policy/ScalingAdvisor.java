package io.tsfleet.coordinator.domain.policy;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The number of replicas the load needs: {@code hot + ceil((total - hot load) / (headroom x typical capacity))},
 * clamped to [min, max]. Scaling up follows the need at once; scaling down only to the highest recommendation of
 * the stabilization window (HPA behaviour), and not at all within the tolerance band. A hot CPU counts as the one
 * replica it occupies, never more: scaling cannot split it.
 */
public final class ScalingAdvisor {
    private final ScalingSettings settings;
    private final Deque<Sample> window = new ArrayDeque<>();
    private ScalingRecommendation last;

    private record Sample(Instant at, int replicas) {
    }

    public ScalingAdvisor(ScalingSettings settings) {
        this.settings = settings;
    }

    public ScalingSettings settings() {
        return settings;
    }

    /**
     * @param cpuLoads    per-CPU loads
     * @param capacities  measured capacities of the live replicas (0 = unknown)
     * @param headroom    the planner's headroom
     */
    public ScalingRecommendation recommend(int currentReplicas, double[] cpuLoads, double[] capacities, double headroom, Instant now) {
        double typical = median(capacities);
        double total = 0;
        for (double l : cpuLoads) total += l;
        int raw;
        int hot = 0;
        if (typical <= 0) {
            raw = -1;
        } else {
            double limit = typical * headroom;
            double hotLoad = 0;
            for (double l : cpuLoads) {
                if (l > limit) {
                    hot++;
                    hotLoad += l;
                }
            }
            raw = hot + (int) Math.ceil((total - hotLoad) / limit - 1e-9);
        }
        int proposal = raw < 0 ? currentReplicas : clamp(raw);
        if (raw >= 0 && currentReplicas > 0 && Math.abs((double) raw / currentReplicas - 1) <= settings.tolerance()) {
            proposal = clamp(currentReplicas);
        }
        window.addLast(new Sample(now, proposal));
        Instant horizon = now.minus(settings.scaleDownStabilization());
        while (!window.isEmpty() && window.peekFirst().at().isBefore(horizon)) window.removeFirst();
        int desired = proposal;
        if (proposal < currentReplicas) {
            // Slow down: the highest recommendation within the stabilization window, never above the current size.
            int highest = window.stream().mapToInt(Sample::replicas).max().orElse(proposal);
            desired = Math.min(currentReplicas, Math.max(proposal, highest));
        }
        last = new ScalingRecommendation(currentReplicas, raw, clamp(desired), total, typical, hot);
        return last;
    }

    public ScalingRecommendation last() {
        return last;
    }

    private int clamp(int n) {
        return Math.max(settings.minReplicas(), Math.min(settings.maxReplicas(), n));
    }

    private static double median(double[] values) {
        double[] known = Arrays.stream(values).filter(v -> v > 0).sorted().toArray();
        if (known.length == 0) return 0;
        int m = known.length / 2;
        return known.length % 2 == 1 ? known[m] : (known[m - 1] + known[m]) / 2;
    }
}
