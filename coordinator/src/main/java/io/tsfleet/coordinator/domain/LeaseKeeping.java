package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.LeaseJudge;
import io.tsfleet.coordinator.domain.fleet.Member;
import io.tsfleet.coordinator.domain.fleet.Membership;

import java.time.Duration;
import java.time.Instant;

/**
 * The leases, as the coordinator's operations see them: time in which the coordinator itself did not run is
 * credited to every lease, a silent fleet keeps its CPUs for one more lease, and a member whose lease ran out leaves.
 */
final class LeaseKeeping {
    private final LeaseJudge leases;
    private final Membership membership;
    private final Departures departures;
    private final Duration lease;

    LeaseKeeping(FleetState fleet, Departures departures, Instant startedAt) {
        this.lease = fleet.settings().lease();
        this.leases = new LeaseJudge(lease, startedAt);
        this.membership = fleet.membership();
        this.departures = departures;
    }

    /** Time in which the coordinator itself did not run does not count against any lease. */
    Duration creditStall(Instant now, Effects fx) {
        Duration stall = leases.observe(now, membership);
        if (!stall.isZero()) fx.audit(now, new FleetEvent.Stalled(stall));
        return stall;
    }

    /** Removes the members whose lease ran out (unless the whole fleet went silent); returns whether any left. */
    boolean expire(Instant now, Effects fx) {
        boolean wasSilent = leases.fleetSilent();
        var expired = leases.expired(now, membership);
        if (!wasSilent && leases.fleetSilent()) fx.audit(now, new FleetEvent.FleetSilent(lease));
        for (Member m : expired) {
            fx.audit(now, new FleetEvent.Expired(m.id(), lease));
            departures.remove(m.id(), false, now);
        }
        return !expired.isEmpty();
    }

    /** {@code replica} heartbeated: if the whole fleet was silent, every lease restarts now. */
    void heard(String replica, Instant now, Effects fx) {
        if (leases.heard(now, membership)) fx.audit(now, new FleetEvent.FleetHeard(replica));
    }
}
