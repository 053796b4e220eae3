package io.tsfleet.coordinator.domain.fleet;

import java.time.Instant;

/**
 * A replica asked to deregister a CPU after a sequence fence: the old owner at the end of a handover, or a
 * stray (a replica registered on a CPU it is not meant to have, e.g. after a rolled-back handover; its fence is
 * its own first sequence number, so it keeps nothing of that CPU).
 *
 * @param cpu        the CPU
 * @param replica    the replica that must release it
 * @param fence      the fence sequence number (u32, serial-number order)
 * @param generation the generation of the directive that carried the fence first
 * @param since      when the release was asked for
 */
public record Release(int cpu, String replica, long fence, long generation, Instant since) {
}
