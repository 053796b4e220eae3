package io.tsfleet.coordinator.service;

import io.tsfleet.coordinator.domain.ProblemAnswer;

import java.util.OptionalInt;

/** This instance is not the leader (or has not recovered the assignment yet): HTTP 503 with {@code Retry-After: 2}. */
public final class NotLeaderException extends RuntimeException implements ProblemAnswer {
    public NotLeaderException(String message) {
        super(message);
    }

    @Override
    public int status() {
        return 503;
    }

    @Override
    public String title() {
        return "Not the leader";
    }

    @Override
    public OptionalInt retryAfterSeconds() {
        return OptionalInt.of(2);
    }
}
