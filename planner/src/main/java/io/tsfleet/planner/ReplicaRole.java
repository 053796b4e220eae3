package io.tsfleet.planner;

/** What the planner may do with a replica. */
enum ReplicaRole {
    /** Takes part in placement, capacity repair and balancing. */
    GENERAL,
    /** Owns exactly its pinned CPUs. */
    PINNED,
    /** Owns exactly one hot CPU. */
    DEDICATED,
    /** Owns nothing; its CPUs are moved away. */
    DRAINING
}
