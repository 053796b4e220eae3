package io.tsfleet.coordinator.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.coordinator.security.SecurityRefusals;

/**
 * The HTTP layer's refusals: {@code tsfleet_coordinator_auth_refusals_total{reason}} (400 for a rejected path, 401,
 * 403, 503 of the security layer) and {@code tsfleet_coordinator_requests_too_large_total} (413).
 */
public final class SecurityRefusalMeters implements MeterBinder {
    private final SecurityRefusals refusals;

    public SecurityRefusalMeters(SecurityRefusals refusals) {
        this.refusals = refusals;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (SecurityRefusals.Reason r : SecurityRefusals.Reason.values()) {
            FunctionCounter.builder("tsfleet.coordinator.auth.refusals", refusals, c -> c.refused(r))
                    .description("Requests refused by the security layer, by reason").tag("reason", r.label()).register(registry);
        }
        FunctionCounter.builder("tsfleet.coordinator.requests.too.large", refusals, SecurityRefusals::tooLarge)
                .description("Requests refused with 413 because their body exceeded tsfleet.coordinator.max-request-body").register(registry);
    }
}
