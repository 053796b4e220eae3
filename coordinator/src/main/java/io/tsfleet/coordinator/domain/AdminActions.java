package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.Member;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;

/**
 * What an operator changes before the admin plan: pins and drains. Bad requests are refused before anything
 * changes ({@link CoordinatorException}).
 */
final class AdminActions {
    private final Membership membership;
    private final Map<String, CpuSet> pins;
    private final Departures departures;
    private final io.tsfleet.coordinator.domain.fleet.CpuTable table;

    AdminActions(FleetState fleet, Departures departures) {
        this.table = fleet.table();
        this.membership = fleet.membership();
        this.pins = fleet.pins();
        this.departures = departures;
    }

    /** Pins {@code cpus} to the replica; other pins lose those CPUs (and go when nothing is left of them). */
    void pin(String id, CpuSet cpus, Instant now, Effects fx) {
        if (cpus.isEmpty() || !cpus.minus(table.possible()).isEmpty()) {
            throw new CoordinatorException.InvalidRequest("cpus must be a non-empty set of possible CPUs");
        }
        Member m = requireMember(id);
        if (m.draining()) throw new CoordinatorException.Conflict("replica '" + id + "' is draining; it cannot take CPUs");
        for (Map.Entry<String, CpuSet> e : new ArrayList<>(pins.entrySet())) {
            CpuSet rest = e.getValue().minus(cpus);
            if (rest.isEmpty()) pins.remove(e.getKey());
            else pins.put(e.getKey(), rest);
        }
        pins.put(id, cpus);
        fx.audit(now, new FleetEvent.MaskSet(id, cpus));
    }

    /** Removes the replica's pin, if it has one. */
    void unpin(String id, Instant now, Effects fx) {
        requireMember(id);
        if (pins.remove(id) != null) fx.audit(now, new FleetEvent.MaskCleared(id));
    }

    /** Starts draining the replica, unless it drains already. */
    void drain(String id, Instant now, Effects fx) {
        Member m = requireMember(id);
        if (!m.draining()) departures.drain(m, true, now, fx);
    }

    Member requireMember(String id) {
        Member m = id == null ? null : membership.get(id);
        if (m == null) throw new CoordinatorException.UnknownReplica(id);
        return m;
    }
}
