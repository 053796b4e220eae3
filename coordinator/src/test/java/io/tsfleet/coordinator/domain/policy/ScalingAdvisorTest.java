package io.tsfleet.coordinator.domain.policy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class ScalingAdvisorTest {
    private final ScalingAdvisor advisor = new ScalingAdvisor(new ScalingSettings(1, 50, 0.1, Duration.ofSeconds(300)));
    private final Instant t0 = Instant.parse("2030-01-01T00:00:00Z");

    private static double[] loads(int cpus, double each) {
        double[] l = new double[cpus];
        Arrays.fill(l, each);
        return l;
    }

    private static double[] capacities(int replicas, double each) {
        return loads(replicas, each);
    }

    @Test
    void theNeedIsTotalLoadOverHeadroomTimesCapacity() {
        // 64 CPUs x 100/s = 6400/s; 0.7 x 1000 = 700/s per replica -> ceil(9.14) = 10
        ScalingRecommendation r = advisor.recommend(4, loads(64, 100), capacities(4, 1000), 0.7, t0);
        assertThat(r.rawNeed()).isEqualTo(10);
        assertThat(r.desiredReplicas()).isEqualTo(10);
    }

    @Test
    void scalingUpIsImmediateAndScalingDownWaitsForTheStabilizationWindow() {
        assertThat(advisor.recommend(4, loads(64, 100), capacities(4, 1000), 0.7, t0).desiredReplicas()).isEqualTo(10);
        // load halves: the need drops to 5, but the window still holds the 10
        assertThat(advisor.recommend(10, loads(64, 50), capacities(10, 1000), 0.7, t0.plusSeconds(60)).desiredReplicas()).isEqualTo(10);
        assertThat(advisor.recommend(10, loads(64, 50), capacities(10, 1000), 0.7, t0.plusSeconds(299)).desiredReplicas()).isEqualTo(10);
        assertThat(advisor.recommend(10, loads(64, 50), capacities(10, 1000), 0.7, t0.plusSeconds(301)).desiredReplicas()).isEqualTo(5);
    }

    @Test
    void withinTheToleranceNothingChanges() {
        // need 10.0 exactly vs 10 current, and 9.14 -> 10 vs 10 current: no change; 9 current -> 10/9 - 1 = 0.11 > 0.1
        assertThat(advisor.recommend(10, loads(64, 100), capacities(10, 1000), 0.7, t0).desiredReplicas()).isEqualTo(10);
        ScalingAdvisor fresh = new ScalingAdvisor(new ScalingSettings(1, 50, 0.15, Duration.ofSeconds(300)));
        assertThat(fresh.recommend(9, loads(64, 100), capacities(9, 1000), 0.7, t0).desiredReplicas()).isEqualTo(9);
    }

    @Test
    void aHotCpuCountsAsTheOneReplicaItOccupiesNotMore() {
        double[] l = loads(64, 10);
        l[7] = 50_000; // far beyond one replica
        ScalingRecommendation r = advisor.recommend(2, l, capacities(2, 1000), 0.7, t0);
        assertThat(r.hotCpus()).isEqualTo(1);
        assertThat(r.rawNeed()).isEqualTo(1 + 1); // the hot CPU's replica + ceil(630 / 700)
    }

    @Test
    void withoutAnyMeasuredCapacityTheRecommendationIsTheCurrentSize() {
        ScalingRecommendation r = advisor.recommend(3, loads(64, 100), capacities(3, 0), 0.7, t0);
        assertThat(r.rawNeed()).isEqualTo(-1);
        assertThat(r.desiredReplicas()).isEqualTo(3);
    }

    @Test
    void theRecommendationStaysWithinMinAndMax() {
        assertThat(advisor.recommend(4, loads(64, 10_000), capacities(4, 1000), 0.7, t0).desiredReplicas()).isEqualTo(50);
        ScalingAdvisor other = new ScalingAdvisor(new ScalingSettings(2, 50, 0.1, Duration.ZERO));
        assertThat(other.recommend(4, loads(64, 0), capacities(4, 1000), 0.7, t0).desiredReplicas()).isEqualTo(2);
    }
}
