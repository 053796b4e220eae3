package io.tsfleet.coordinator.domain.fleet;

import java.util.Locale;

/**
 * Why a heartbeat was refused: its {@link #label()} is the {@code reason} tag of
 * {@code tsfleet_coordinator_heartbeats_refused_total} and the key of {@code refusedHeartbeats} in {@code GET /status}.
 */
public enum HeartbeatRefusal {
    /** The body did not validate (400); counted by the service, before the heartbeat reaches the domain. */
    INVALID,
    /** A second process claimed the id of a live replica (409). */
    INCARNATION_LIVE,
    /** One more new replica id beyond {@code tsfleet.coordinator.max-members} (409). */
    MEMBER_LIMIT,
    /** A generation this coordinator never issued (409). */
    UNISSUED_GENERATION,
    /** A late heartbeat of a process that a restart already replaced (409, also counted as stale). */
    REPLACED_INCARNATION;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
