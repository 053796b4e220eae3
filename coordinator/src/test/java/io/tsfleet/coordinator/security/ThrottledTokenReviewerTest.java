package io.tsfleet.coordinator.security;

import io.tsfleet.coordinator.security.ReplicaTokenReviewer.Review;
import io.tsfleet.coordinator.security.ReplicaTokenReviewer.ReviewUnavailableException;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThrottledTokenReviewerTest {
    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final AtomicInteger asked = new AtomicInteger();
    final ReplicaTokenReviewer api = new ReplicaTokenReviewer() {
        @Override
        public String source() {
            return "test";
        }

        @Override
        public Review review(String token) {
            asked.incrementAndGet();
            return token.startsWith("pod") ? new Review.Replica(token) : new Review.Refused("no");
        }
    };

    @Test
    void aBurstPassesThenTheRateApplies() {
        ThrottledTokenReviewer throttled = new ThrottledTokenReviewer(api, clock, 2, 5);
        for (int i = 0; i < 5; i++) throttled.review("junk" + i);
        assertThatThrownBy(() -> throttled.review("junk5")).isInstanceOf(ReviewUnavailableException.class)
                .hasMessageContaining("too many token reviews");
        assertThat(asked).hasValue(5);
        clock.advance(Duration.ofMillis(500));          // one more review earned
        throttled.review("junk6");
        assertThatThrownBy(() -> throttled.review("junk7")).isInstanceOf(ReviewUnavailableException.class);
        clock.advance(Duration.ofHours(1));             // refills up to the burst, not beyond
        for (int i = 0; i < 5; i++) throttled.review("later" + i);
        assertThatThrownBy(() -> throttled.review("later5")).isInstanceOf(ReviewUnavailableException.class);
        assertThat(asked).hasValue(11);
    }

    @Test
    void aFloodOfMadeUpTokensNeitherReachesTheApiServerNorPushesOutTheProofsOfThePods() {
        CachingTokenReviewer reviewer = new CachingTokenReviewer(new ThrottledTokenReviewer(api, clock, 1, 10), clock,
                Duration.ofSeconds(30), 100);
        for (int pod = 0; pod < 5; pod++) assertThat(reviewer.review("pod-" + pod)).isEqualTo(new Review.Replica("pod-" + pod));
        int refusedNow = 0;
        for (int i = 0; i < 10_000; i++) {
            try {
                reviewer.review("junk-" + i);
            } catch (ReviewUnavailableException e) {
                refusedNow++;
            }
        }
        assertThat(asked).as("reviews sent: the 5 pods and the rest of the burst").hasValue(10);
        assertThat(refusedNow).isEqualTo(10_000 - 5);
        for (int pod = 0; pod < 5; pod++) {
            assertThat(reviewer.review("pod-" + pod)).as("a cached proof still answers").isEqualTo(new Review.Replica("pod-" + pod));
        }
        assertThat(asked).hasValue(10);
    }

    @Test
    void refusalsDoNotEvictProofs() {
        CachingTokenReviewer reviewer = new CachingTokenReviewer(api, clock, Duration.ofMinutes(5), 3);
        reviewer.review("pod-a");
        for (int i = 0; i < 50; i++) reviewer.review("junk-" + i);
        int before = asked.get();
        reviewer.review("pod-a");
        assertThat(asked).as("pod-a's proof outlived 50 refusals in a cache of 3").hasValue(before);
    }
}
