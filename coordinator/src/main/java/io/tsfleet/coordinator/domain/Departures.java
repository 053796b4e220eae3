package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.Member;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;
import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Instant;
import java.util.Map;

/** How a member goes away: it drains (its CPUs move away make before break), or it leaves at once. */
final class Departures {
    private final Membership membership;
    private final Map<String, CpuSet> pins;
    private final Reconciler reconciler;

    Departures(FleetState fleet) {
        this.membership = fleet.membership();
        this.pins = fleet.pins();
        this.reconciler = fleet.reconciler();
    }

    /** {@code m} starts draining, because it said so or because an operator asked ({@code byAdmin}); its pin goes. */
    void drain(Member m, boolean byAdmin, Instant now, Effects fx) {
        membership.drain(m);
        pins.remove(m.id());
        fx.audit(now, new FleetEvent.DrainStarted(m.id(), byAdmin));
    }

    /**
     * The member leaves now: its lease expired, or ({@code rejoining}) another process of it replaces it, which keeps
     * its pin. Its CPUs are handed to their heirs or left for the next plan.
     */
    void remove(String id, boolean rejoining, Instant now) {
        membership.remove(id);
        if (!rejoining) pins.remove(id);
        reconciler.onMemberGone(id, rejoining, now);
    }
}
