package io.tsfleet.listener.domain;

import java.time.Duration;

/**
 * When the next heartbeat goes: after the regular interval, or sooner while a handover step of this replica waits on
 * the coordinator (expedited heartbeats). A handover takes three heartbeat round trips (the old owner acknowledges
 * that it holds, the new owner reports its first sequence number, the old owner learns the fence); at the regular
 * interval that is seconds, during which the old owner holds the CPU's records back. Rules:
 *
 * <ul>
 *   <li><b>News</b> - the directive just applied started or advanced a step this replica takes part in (a CPU left
 *       its target, a CPU is to be acquired, a fence arrived, a CPU rejoined), or the replica learned something the
 *       coordinator waits for (a first sequence number of an acquired CPU, a completed release): the next heartbeat
 *       goes {@code delay} after it (news that arrive meanwhile are coalesced into that one heartbeat).</li>
 *   <li><b>Waiting</b> - a step of this replica still waits on the coordinator (a leaving CPU without its fence, a
 *       first sequence number or a release not yet delivered): the next heartbeat goes after twice the previous
 *       expedited delay, at most a quarter of the regular interval (a rate limit: at most four heartbeats per
 *       interval while waiting, however long the wait).</li>
 *   <li>Otherwise, after a heartbeat that was not delivered, or while the circuit breaker is not closed: the regular
 *       interval (a coordinator that does not answer is not asked more often).</li>
 * </ul>
 * Two heartbeats are never less than {@code delay} apart. A {@code delay} of zero turns expediting off.
 * Not thread-safe: the heartbeat loop calls it under its lock.
 */
public final class HeartbeatPacing {
    private final Duration delay;
    /** The delay of the last expedited heartbeat, null when the last one was regular. */
    private Duration step;

    public HeartbeatPacing(Duration delay) {
        if (delay == null || delay.isNegative()) throw new IllegalArgumentException("delay must be >= 0");
        this.delay = delay;
    }

    public boolean enabled() {
        return !delay.isZero();
    }

    /** The smallest gap between two heartbeats (the expedite delay). */
    public Duration minimumGap() {
        return delay;
    }

    /**
     * After a heartbeat: how long until the next one.
     *
     * @param regular       the regular interval
     * @param delivered     the coordinator answered
     * @param breakerClosed the circuit breaker is closed
     * @param news          the heartbeat's directive started or advanced a step of this replica, or news arrived
     *                      while it was on its way
     * @param waiting       a handover step of this replica waits on the coordinator
     */
    public Duration afterHeartbeat(Duration regular, boolean delivered, boolean breakerClosed, boolean news, boolean waiting) {
        Duration cap = regular.dividedBy(4);
        if (!enabled() || !delivered || !breakerClosed || cap.compareTo(delay) <= 0) {
            step = null;
            return regular;
        }
        if (news) {
            step = delay;
            return delay;
        }
        if (waiting) {
            Duration next = step == null ? delay : step.multipliedBy(2);
            step = next.compareTo(cap) > 0 ? cap : next;
            return step;
        }
        step = null;
        return regular;
    }

    /**
     * News between two heartbeats: how long from now until the next heartbeat should go, or null to keep the one
     * scheduled (expediting off, or the breaker not closed).
     *
     * {@code delay} from now is also at least {@code delay} after the last heartbeat started.
     *
     * @param regular       the regular interval
     * @param breakerClosed the circuit breaker is closed
     */
    public Duration onNews(Duration regular, boolean breakerClosed) {
        if (!enabled() || !breakerClosed || regular.dividedBy(4).compareTo(delay) <= 0) return null;
        step = delay;
        return delay;
    }
}
