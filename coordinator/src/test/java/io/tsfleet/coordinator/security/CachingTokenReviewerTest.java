package io.tsfleet.coordinator.security;

import io.tsfleet.coordinator.security.ReplicaTokenReviewer.Review;
import io.tsfleet.coordinator.security.ReplicaTokenReviewer.ReviewUnavailableException;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachingTokenReviewerTest {
    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final List<String> asked = new ArrayList<>();
    boolean down;
    final ReplicaTokenReviewer api = new ReplicaTokenReviewer() {
        @Override
        public String source() {
            return "test";
        }

        @Override
        public Review review(String token) {
            asked.add(token);
            if (down) throw new ReviewUnavailableException("down", null);
            return token.startsWith("good") ? new Review.Replica("pod-" + token) : new Review.Refused("no");
        }
    };

    @Test
    void answersAreKeptUntilTheyExpire() {
        CachingTokenReviewer cache = new CachingTokenReviewer(api, clock, Duration.ofSeconds(30), 10);
        assertThat(cache.review("good1")).isEqualTo(new Review.Replica("pod-good1"));
        assertThat(cache.review("bad")).isInstanceOf(Review.Refused.class);
        clock.advance(Duration.ofSeconds(29));
        cache.review("good1");
        cache.review("bad");
        assertThat(asked).containsExactly("good1", "bad");
        clock.advance(Duration.ofSeconds(1));
        cache.review("good1");
        assertThat(asked).containsExactly("good1", "bad", "good1");
    }

    @Test
    void theCacheIsBounded() {
        CachingTokenReviewer cache = new CachingTokenReviewer(api, clock, Duration.ofMinutes(5), 3);
        for (int i = 0; i < 10; i++) cache.review("good" + i);
        assertThat(cache.size()).isEqualTo(3);
        cache.review("good9");
        assertThat(asked).hasSize(10);
        cache.review("good0");
        assertThat(asked).hasSize(11);
    }

    @Test
    void unavailabilityIsNeverKept() {
        CachingTokenReviewer cache = new CachingTokenReviewer(api, clock, Duration.ofMinutes(5), 3);
        down = true;
        assertThatThrownBy(() -> cache.review("good1")).isInstanceOf(ReviewUnavailableException.class);
        down = false;
        assertThat(cache.review("good1")).isEqualTo(new Review.Replica("pod-good1"));
        assertThat(cache.size()).isEqualTo(1);
    }
}
