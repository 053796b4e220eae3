package io.tsfleet.coordinator.domain.fleet;

/** The lifecycle of a live member. A member whose lease expired is removed, not kept in a DEAD state. */
public enum MemberState {
    /** Owns CPUs and receives more when planned. */
    ACTIVE,
    /** Asked to leave (SIGTERM or the admin drain endpoint): its CPUs move away make-before-break. */
    DRAINING
}
