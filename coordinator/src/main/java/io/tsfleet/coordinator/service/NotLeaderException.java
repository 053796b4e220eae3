package io.tsfleet.coordinator.service;

/** This instance is not the leader (or has not recovered the assignment yet): HTTP 503. */
public final class NotLeaderException extends RuntimeException {
    public NotLeaderException(String message) {
        super(message);
    }
}
