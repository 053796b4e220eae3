package io.tsfleet.coordinator.kubernetes;

/**
 * Who may act as the coordinator. Exactly one leader plans and answers heartbeats; the others wait (not ready).
 */
public interface Leadership {

    /** Starts taking part; the callbacks run when this instance becomes or stops being the leader. */
    void start(Runnable onStartLeading, Runnable onStopLeading);

    boolean isLeader();

    /** Gives up leadership (if held) and stops taking part. */
    void stop();

    /** A human-readable description for logs and the audit log. */
    String describe();
}
