package io.tsfleet.coordinator.domain.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Decides which silent members have lost their lease, so that an exit storm does not evict a healthy fleet.
 *
 * <p>On a machine in an exit storm, every process outside the storm's scheduling group (its own session with
 * autogroup, or its own cgroup, as every pod is) can be denied the CPU for seconds at a time. The replicas cannot
 * heartbeat and the coordinator cannot listen; expiring the replicas then moves every CPU in the middle of the storm,
 * which is when moving costs most. Two rules keep a lease about the replica, not about the machine:
 * <ol>
 *   <li><b>The coordinator's own stalls do not count.</b> If the coordinator did nothing at all (no tick, no heartbeat)
 *       for more than half a lease — it ticks every second or so — it was not running, and could not have heard a
 *       heartbeat. That time is added to every member's lease ({@link #observe}).</li>
 *   <li><b>A silence of the whole fleet gets one more lease.</b> When every member's lease runs out together, the
 *       likelier cause is the machine or the network, not that all of them died at once, and expiring them hands the
 *       CPUs to nobody. They are kept for one more lease ({@link #expired}); the first heartbeat after such a silence
 *       restarts every member's lease. A fleet that stays silent for two leases is expired as before.</li>
 * </ol>
 * Plain Java, not thread-safe (the coordinator's lock), no clock of its own.
 */
public final class LeaseJudge {
    private final Duration lease;
    private final Duration stallThreshold;
    private Instant lastActivity;
    /** When the whole fleet's silence was first found, or null. */
    private Instant fleetSilentSince;

    public LeaseJudge(Duration lease, Instant now) {
        this.lease = lease;
        this.stallThreshold = lease.dividedBy(2);
        this.lastActivity = now;
    }

    /**
     * The coordinator is doing something at {@code now}. Returns how long it was stalled before (zero when it was
     * not), after adding that time to every member's lease.
     */
    public Duration observe(Instant now, Membership membership) {
        Duration gap = Duration.between(lastActivity, now);
        if (now.isAfter(lastActivity)) lastActivity = now;
        if (gap.compareTo(stallThreshold) <= 0) return Duration.ZERO;
        for (Member m : membership.all()) m.lastHeartbeat(min(now, m.lastHeartbeat().plus(gap)));
        if (fleetSilentSince != null) fleetSilentSince = min(now, fleetSilentSince.plus(gap));
        return gap;
    }

    /**
     * The members whose lease ran out and who are to be removed now: none while the whole fleet has been silent for
     * less than one extra lease.
     */
    public List<Member> expired(Instant now, Membership membership) {
        List<Member> late = membership.expired(now, lease);
        if (late.isEmpty() || late.size() < membership.all().size()) {
            fleetSilentSince = null;
            return late;
        }
        if (fleetSilentSince == null) fleetSilentSince = now;
        if (Duration.between(fleetSilentSince, now).compareTo(lease) <= 0) return List.of();
        fleetSilentSince = null;
        return late;
    }

    /** Whether the whole fleet is silent and its expiry withheld. */
    public boolean fleetSilent() {
        return fleetSilentSince != null;
    }

    /**
     * A heartbeat arrived: if it ends a silence of the whole fleet, every member's lease restarts now (the others are
     * likely waking up too) and this returns true.
     */
    public boolean heard(Instant now, Membership membership) {
        if (fleetSilentSince == null) return false;
        fleetSilentSince = null;
        for (Member m : membership.all()) if (m.lastHeartbeat().isBefore(now)) m.lastHeartbeat(now);
        return true;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
