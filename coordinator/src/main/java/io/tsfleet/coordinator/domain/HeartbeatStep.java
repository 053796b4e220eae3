package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.HeartbeatAdmission;
import io.tsfleet.coordinator.domain.fleet.HeartbeatAdmission.Verdict;
import io.tsfleet.coordinator.domain.fleet.HeartbeatRefusal;
import io.tsfleet.coordinator.domain.fleet.HeartbeatReport;
import io.tsfleet.coordinator.domain.fleet.LoadTracker;
import io.tsfleet.coordinator.domain.fleet.Member;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;

import java.time.Instant;

/**
 * A replica's heartbeat up to (not including) planning: admission (refused, joins, restarts, confirms, continues),
 * then the report (generation, draining, loads, handover progress). What it decided is returned as an
 * {@link Outcome}; audit events and counts go to the operation's {@link Effects}.
 */
final class HeartbeatStep {

    /** What the heartbeat was. */
    sealed interface Outcome {
        /** Refused; nothing changed but a counter. */
        record Refused(HeartbeatRefusal reason, String message) implements Outcome {
        }

        /**
         * Accepted from {@code replica}.
         *
         * @param incarnationChanged a member joined or was confirmed (its incarnation is to be persisted)
         * @param stale              older than what the replica applied already: nothing of it was applied
         * @param membershipChanged  a member joined, restarted or started draining: a membership plan is due
         */
        record Accepted(String replica, boolean incarnationChanged, boolean stale, boolean membershipChanged) implements Outcome {
        }
    }

    private final HeartbeatAdmission admission;
    private final Membership membership;
    private final Generations generations;
    private final LeaseKeeping leases;
    private final Departures departures;
    private final CpuTable table;
    private final LoadTracker loads;
    private final Reconciler reconciler;
    /** A heartbeat without loss ends a losing streak only this long after the last loss (early heartbeats). */
    private final java.time.Duration lossQuiet;

    /** {@code startedEmpty}: the coordinator started without a persisted assignment (see {@link HeartbeatAdmission}). */
    HeartbeatStep(FleetState fleet, boolean startedEmpty, LeaseKeeping leases, Departures departures) {
        this.admission = new HeartbeatAdmission(fleet.settings().lease(), fleet.settings().maxMembers(), startedEmpty);
        this.membership = fleet.membership();
        this.generations = fleet.generations();
        this.leases = leases;
        this.departures = departures;
        this.table = fleet.table();
        this.loads = fleet.loads();
        this.lossQuiet = fleet.settings().heartbeatInterval();
        this.reconciler = fleet.reconciler();
    }

    Outcome apply(HeartbeatReport hb, Instant now, Effects fx) {
        Verdict verdict = admission.judge(hb, membership, generations.current(), now);
        if (verdict instanceof Verdict.Refused r) {
            if (r.stale()) fx.count(FleetCounter.STALE_HEARTBEATS);
            fx.count(FleetCounter.refused(r.reason()));
            return new Outcome.Refused(r.reason(), r.message());
        }
        boolean membershipChanged = verdict instanceof Verdict.Joins || verdict instanceof Verdict.Restarts;
        boolean incarnationChanged = !(verdict instanceof Verdict.Continues);
        Member m = switch (verdict) {
            case Verdict.Restarts r -> {
                Member old = r.predecessor();
                fx.audit(now, new FleetEvent.Restarted(old.id(), hb.incarnation(), old.knownIncarnation(), old.presumed(),
                        old.presumed() ? null : admission.leaseEnd(old)));
                membership.retire(old.id(), old.knownIncarnation());
                departures.remove(old.id(), true, now);
                yield join(hb, now, fx);
            }
            case Verdict.Joins j -> join(hb, now, fx);
            case Verdict.Confirms c -> {
                membership.confirm(c.member(), hb.incarnation());
                fx.audit(now, new FleetEvent.Confirmed(c.member().id()));
                yield c.member();
            }
            case Verdict.Continues c -> c.member();
            case Verdict.Refused r -> throw new AssertionError("answered above");
        };
        if (hb.generation() < m.appliedGeneration()) {
            fx.count(FleetCounter.STALE_HEARTBEATS);
            return new Outcome.Accepted(m.id(), incarnationChanged, true, membershipChanged);
        }
        if (hb.generation() > generations.current()) {
            fx.audit(now, new FleetEvent.GenerationRaised(m.id(), hb.generation()));
            generations.atLeast(hb.generation());
        }
        if (hb.draining() && !m.draining()) {
            departures.drain(m, false, now, fx);
            membershipChanged = true;
        }
        membership.update(m, hb, now, lossQuiet);
        leases.heard(m.id(), now, fx);
        for (int i = 0; i < hb.ownedCpus().length; i++) {
            int c = hb.ownedCpus()[i];
            String owner = table.owner(c);
            // a CPU's load is what its owner reports (or anyone, while it has no live owner)
            if (owner == null || owner.equals(m.id()) || !membership.contains(owner)) loads.report(c, hb.rates()[i], hb.lost()[i], now);
        }
        reconciler.onHeartbeat(m, hb, now);
        return new Outcome.Accepted(m.id(), incarnationChanged, false, membershipChanged);
    }

    private Member join(HeartbeatReport hb, Instant now, Effects fx) {
        Member m = membership.join(hb.replicaId(), hb.incarnation(), now);
        fx.audit(now, new FleetEvent.Joined(m.id(), hb.owned()));
        return m;
    }
}
