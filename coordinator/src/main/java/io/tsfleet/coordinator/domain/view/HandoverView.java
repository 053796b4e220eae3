package io.tsfleet.coordinator.domain.view;

import java.time.Instant;

/** A handover in flight as the admin API shows it. {@code fence} is null before the new owner's first sequence. */
public record HandoverView(String node, int cpu, String from, String to, String phase, Long fence, long phaseGeneration,
                           Instant startedAt, Instant phaseSince, boolean waitingForTraffic) {
}
