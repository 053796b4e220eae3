package io.tsfleet.coordinator.domain;

import java.util.OptionalInt;

/**
 * What an exception that refuses a request answers, in plain Java: the status and title of its RFC 9457 problem, its
 * message as the detail and, for a refusal that passes, how soon to retry. The web adapter ({@code web.ProblemHandlers})
 * turns it into the problem+json answer; exceptions that are not one of these are faults, answered 500.
 */
public interface ProblemAnswer {
    /** The HTTP status. */
    int status();

    /** The problem's title. */
    String title();

    /** The problem's detail. */
    String getMessage();

    /** Seconds for a {@code Retry-After} header, for a refusal that passes (no leader, nothing persisted). */
    default OptionalInt retryAfterSeconds() {
        return OptionalInt.empty();
    }
}
