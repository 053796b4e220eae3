package io.tsfleet.coordinator.domain.fleet;

import java.time.Duration;

/**
 * @param handoverTimeout      how long one handover phase may take before it is rolled back (PREPARE, MAKE) or
 *                             closed with the release left pending (BREAK)
 * @param retryBackoff         how long a rolled-back CPU waits before a new handover may start
 * @param maxHandoversInFlight the cap on CPUs in handover at once (each doubles the kernel's fan-out on its CPU);
 *                             a MAKE phase waiting on an idle CPU does not count
 */
public record ReconcilerSettings(Duration handoverTimeout, Duration retryBackoff, int maxHandoversInFlight) {
    public ReconcilerSettings {
        if (handoverTimeout.isNegative() || handoverTimeout.isZero()) throw new IllegalArgumentException("handover timeout must be positive");
        if (retryBackoff.isNegative()) throw new IllegalArgumentException("retry backoff must not be negative");
        if (maxHandoversInFlight < 1) throw new IllegalArgumentException("max handovers in flight must be at least 1");
    }
}
