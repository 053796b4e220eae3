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
 * a replica's heartbeats do not each cost a call to the API server. The cache is bounded (least recently used
 * answers leave first) and keyed by the SHA-256 of the token, so that it holds no token.
 */
public final class CachingTokenReviewer implements ReplicaTokenReviewer {
    private record Cached(Review review, Instant expires) {
    }

    private final ReplicaTokenReviewer delegate;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Cached> cache;

    public CachingTokenReviewer(ReplicaTokenReviewer delegate, Clock clock, Duration ttl, int maxEntries) {
        if (ttl.isNegative()) throw new IllegalArgumentException("ttl must not be negative");
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries must be at least 1");
        this.delegate = delegate;
        this.clock = clock;
        this.ttl = ttl;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
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
        synchronized (cache) {
            Cached hit = cache.get(key);
            if (hit != null && now.isBefore(hit.expires())) return hit.review();
            if (hit != null) cache.remove(key);
        }
        Review fresh = delegate.review(token);
        synchronized (cache) {
            cache.put(key, new Cached(fresh, now.plus(ttl)));
        }
        return fresh;
    }

    /** How many answers are kept now. */
    public int size() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
