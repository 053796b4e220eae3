package io.tsfleet.coordinator.domain.view;

import java.time.Instant;

/** A replica that was told to deregister a CPU after {@code fence}. */
public record ReleaseView(String node, int cpu, String replica, long fence, long generation, Instant since) {
}
