package io.tsfleet.coordinator.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Bounds how many reviews reach the API server: a token bucket of {@code burst} reviews refilled at
 * {@code perSecond}. Tokens that are not cached cost one review each, so without a bound anyone who can reach the
 * coordinator could make it send a TokenReview per request of made-up tokens. Past the bound the review is
 * unavailable (the heartbeat gets 503 with Retry-After, as when the API server is down); replicas whose proof is
 * cached are not affected.
 */
public final class ThrottledTokenReviewer implements ReplicaTokenReviewer {
    private final ReplicaTokenReviewer delegate;
    private final Clock clock;
    private final double perSecond;
    private final double burst;
    private double available;
    private Instant refilled;

    public ThrottledTokenReviewer(ReplicaTokenReviewer delegate, Clock clock, double perSecond, int burst) {
        if (!(perSecond > 0)) throw new IllegalArgumentException("perSecond must be positive");
        if (burst < 1) throw new IllegalArgumentException("burst must be at least 1");
        this.delegate = delegate;
        this.clock = clock;
        this.perSecond = perSecond;
        this.burst = burst;
        this.available = burst;
        this.refilled = clock.instant();
    }

    @Override
    public String source() {
        return delegate.source();
    }

    @Override
    public Review review(String token) {
        if (!take()) {
            throw new ReviewUnavailableException("too many token reviews: at most " + (int) burst + " at once and "
                    + perSecond + " per second reach the API server", null);
        }
        return delegate.review(token);
    }

    private synchronized boolean take() {
        Instant now = clock.instant();
        if (now.isAfter(refilled)) {
            double seconds = Duration.between(refilled, now).toNanos() / 1e9;
            available = Math.min(burst, available + seconds * perSecond);
            refilled = now;
        }
        if (available < 1) return false;
        available -= 1;
        return true;
    }
}
