package io.tsfleet.listener.engine;

import java.time.Duration;

/** Told how long CPU moves take (the metrics adapter keeps a timer). */
public interface HandoverObserver {
    HandoverObserver NONE = new HandoverObserver() {
    };

    /** A CPU was registered: from the decision to acquire it to the broker's ack. */
    default void acquired(int cpu, Duration took) {
    }

    /** A CPU was released: from leaving the target to the end of its registration; aborted when the connection broke. */
    default void released(int cpu, Duration took, boolean aborted) {
    }
}
