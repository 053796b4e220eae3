package io.tsfleet.coordinator.domain.view;

/** CPUs that a plan moves from one replica to another, as a cpulist. */
public record MoveGroup(String from, String to, String cpus, int count) {
}
