package io.tsfleet.coordinator.kubernetes;

/**
 * Who may act as the coordinator. Exactly one leader plans and answers heartbeats; the others wait as standbys
 * (Ready, but answering 503 "Not the leader"; on Kubernetes the Service reaches the leader by its pod label).
 */
public interface Leadership {

    /** Starts taking part; the callbacks run when this instance becomes or stops being the leader. */
    void start(Runnable onStartLeading, Runnable onStopLeading);

    boolean isLeader();

    /** Gives up leadership (if held) and stops taking part. */
    void stop();

    /**
     * This instance found that it is not the only leader (another one wrote the shared state): it stops leading
     * (the stop callback runs, possibly later on another thread) and stands for election again. Returns false when
     * there is no one to give way to (single-node leadership): the caller then keeps leading from the stored state.
     */
    default boolean relinquish() {
        return false;
    }

    /** A human-readable description for logs and the audit log. */
    String describe();
}
