package io.tsfleet.coordinator.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps the answers of another reviewer for a short while (both proofs and refusals; never "unavailable"), so that
 * a replica's heartbeats do not each cost a call to the API server. Proofs and refusals are kept apart, each bounded
 * (least recently used answers leave first): a flood of made-up tokens fills the refusals and never pushes out the
 * proofs of the fleet's pods. Keyed by the SHA-256 of the token, so that it holds no token.
 */
public final class CachingTokenReviewer implements ReplicaTokenReviewer {
    private record Cached(Review review, Instant expires) {
    }

    private final ReplicaTokenReviewer delegate;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Cached> proofs;
    private final Map<String, Cached> refusals;

    public CachingTokenReviewer(ReplicaTokenReviewer delegate, Clock clock, Duration ttl, int maxEntries) {
        if (ttl.isNegative()) throw new IllegalArgumentException("ttl must not be negative");
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries must be at least 1");
        this.delegate = delegate;
        this.clock = clock;
        this.ttl = ttl;
        this.proofs = lru(maxEntries);
        this.refusals = lru(maxEntries);
    }

    private static Map<String, Cached> lru(int maxEntries) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > maxEntries;
            }
        };
    }

    @Override
    public String source() {
        return delegate.source();
    }

    @Override
    public Review review(String token) {
        String key = sha256(token);
        Instant now = clock.instant();
        synchronized (this) {
            Cached hit = proofs.get(key);
            if (hit == null) hit = refusals.get(key);
            if (hit != null && now.isBefore(hit.expires())) return hit.review();
            if (hit != null) {
                proofs.remove(key);
                refusals.remove(key);
            }
        }
        Review fresh = delegate.review(token);
        synchronized (this) {
            (fresh instanceof Review.Refused ? refusals : proofs).put(key, new Cached(fresh, now.plus(ttl)));
        }
        return fresh;
    }

    /** How many answers are kept now. */
    public synchronized int size() {
        return proofs.size() + refusals.size();
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
