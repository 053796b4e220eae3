package io.tsfleet.coordinator.domain;

import java.time.Instant;

/**
 * One entry of the audit log: plans, membership changes, operator actions and anomalies (rollbacks, stuck
 * releases, strays, ownership taken from dead replicas). Routine handover steps are counted, not audited.
 *
 * @param node the node of the CPU concerned, or null
 * @param cpu  the CPU concerned (of that node), or -1
 */
public record AuditEvent(long sequence, Instant time, long generation, String type, String replica, String node, int cpu, String message) {
}
