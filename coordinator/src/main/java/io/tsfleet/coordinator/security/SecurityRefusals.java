package io.tsfleet.coordinator.security;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests the HTTP layer refused before they reached a controller, in plain Java; the metrics adapter
 * ({@code metrics.SecurityRefusalMeters}) publishes them as {@code tsfleet_coordinator_auth_refusals_total{reason}}
 * and {@code tsfleet_coordinator_requests_too_large_total}.
 */
public final class SecurityRefusals {

    /** Why a request was refused by the security layer: the {@code reason} label of the metric. */
    public enum Reason {
        REJECTED_REQUEST, MISSING_TOKEN, UNKNOWN_TOKEN, REVIEW_UNAVAILABLE, FORBIDDEN, WRONG_REPLICA, WRONG_NODE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Reason, LongAdder> refusals = new EnumMap<>(Reason.class);
    private final LongAdder tooLarge = new LongAdder();

    public SecurityRefusals() {
        for (Reason r : Reason.values()) refusals.put(r, new LongAdder());
    }

    /** One more request refused by the security layer. */
    public void count(Reason reason) {
        refusals.get(reason).increment();
    }

    /** One more request refused with 413 for the size of its body. */
    public void countTooLarge() {
        tooLarge.increment();
    }

    /** Requests refused by the security layer for {@code reason} so far. */
    public long refused(Reason reason) {
        return refusals.get(reason).sum();
    }

    /** Requests refused for the size of their body so far. */
    public long tooLarge() {
        return tooLarge.sum();
    }
}
