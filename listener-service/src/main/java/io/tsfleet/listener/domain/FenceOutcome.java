package io.tsfleet.listener.domain;

import java.util.List;

/**
 * What applying a handover fence settled.
 *
 * @param toWrite      held records below the fence: ours, to be written now (in seq order)
 * @param handedOver   held records at or past the fence, dropped (the new owner has them)
 * @param duplicates   records at or past the fence that had been written before the fence arrived
 * @param exact        false when the duplicate count could not be computed exactly (very many gaps since the fence)
 * @param deregister   the fence started the release: send DEREGISTER now (the records below the fence are queued on the
 *                     connection already, or were dropped by the broker; the broker's answer comes after all of them)
 */
public record FenceOutcome(List<HeldRecord> toWrite, long handedOver, long duplicates, boolean exact, boolean deregister) {
    public FenceOutcome {
        toWrite = List.copyOf(toWrite);
    }
}
