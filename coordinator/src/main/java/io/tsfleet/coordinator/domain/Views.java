package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.Handover;
import io.tsfleet.coordinator.domain.fleet.LoadTracker;
import io.tsfleet.coordinator.domain.fleet.Member;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;
import io.tsfleet.coordinator.domain.fleet.SlotSpace;
import io.tsfleet.coordinator.domain.fleet.Release;
import io.tsfleet.coordinator.domain.view.AssignmentView;
import io.tsfleet.coordinator.domain.view.CpuView;
import io.tsfleet.coordinator.domain.view.HandoverView;
import io.tsfleet.coordinator.domain.view.ReleaseView;
import io.tsfleet.coordinator.domain.view.ReplicaView;
import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Read models for the admin API. */
final class Views {
    private Views() {
    }

    static AssignmentView assignment(CpuTable table, Membership membership, Reconciler reconciler, Map<String, CpuSet> pins,
                                     long generation, String assignor, SlotSpace space) {
        CpuSet covered = CpuSet.EMPTY;
        for (Member m : membership.all()) covered = covered.union(m.owned());
        List<HandoverView> handovers = new ArrayList<>();
        for (Handover h : table.handovers()) handovers.add(handover(h, reconciler, space));
        List<ReleaseView> releases = new ArrayList<>();
        for (Release r : table.releases()) releases.add(release(r, space));
        return new AssignmentView(generation, space.describe(table.possible()), space.describe(table.possible().minus(covered)),
                lists(table.ownerMasks(), space), lists(table.targetMasks(), space), lists(pins, space), handovers, releases,
                reconciler.pendingMoves(), assignor);
    }

    static List<ReplicaView> replicas(CpuTable table, Membership membership, Map<String, CpuSet> pins, LoadTracker loads, SlotSpace space) {
        Map<String, Double> load = new HashMap<>();
        table.possible().forEach(c -> {
            String o = table.owner(c);
            if (o != null) load.merge(o, loads.load(c), Double::sum);
        });
        Map<String, CpuSet> targets = table.targetMasks();
        List<ReplicaView> out = new ArrayList<>();
        for (Member m : membership.all()) {
            CpuSet.Builder releasing = CpuSet.builder();
            for (Release r : table.releasesBy(m.id())) releasing.add(r.cpu());
            out.add(new ReplicaView(m.id(), m.incarnation(), m.state().name(), m.presumed(), m.joinedAt(), m.lastHeartbeat(),
                    m.appliedGeneration(), space.describe(m.owned()), space.describe(table.directiveTarget(m.id())),
                    space.describe(targets.getOrDefault(m.id(), CpuSet.EMPTY)), space.describe(pins.getOrDefault(m.id(), CpuSet.EMPTY)),
                    space.describe(releasing.build()), m.capacityPerSecond(), m.planningCapacity(), load.getOrDefault(m.id(), 0.0),
                    m.recordsTotal(), m.lostTotal(), m.enobufsTotal(), m.duplicatesTotal(), m.node(), m.zone()));
        }
        return out;
    }

    static CpuView cpu(int cpu, CpuTable table, Membership membership, Reconciler reconciler, LoadTracker loads,
                       Map<String, CpuSet> pins, double hotLimit, SlotSpace space) {
        List<String> registered = new ArrayList<>();
        for (Member m : membership.all()) if (m.owned().contains(cpu)) registered.add(m.id());
        List<ReleaseView> releases = new ArrayList<>();
        for (Release r : table.releasesOf(cpu).values()) releases.add(release(r, space));
        Handover h = table.handover(cpu);
        String pinnedTo = null;
        for (Map.Entry<String, CpuSet> e : pins.entrySet()) if (e.getValue().contains(cpu)) pinnedTo = e.getKey();
        SlotSpace.Slot slot = space.slot(cpu);
        return new CpuView(slot.node(), slot.cpu(), table.owner(cpu), table.target(cpu), loads.load(cpu), loads.lastRate(cpu), loads.lost(cpu),
                registered, h == null ? null : handover(h, reconciler, space), releases, loads.load(cpu) > hotLimit, pinnedTo);
    }

    private static HandoverView handover(Handover h, Reconciler reconciler, SlotSpace space) {
        SlotSpace.Slot slot = space.slot(h.cpu());
        return new HandoverView(slot.node(), slot.cpu(), h.from(), h.to(), h.phase().name(), h.fence(), h.phaseGeneration(), h.startedAt(),
                h.phaseSince(), reconciler.waitingForTraffic(h));
    }

    private static ReleaseView release(Release r, SlotSpace space) {
        SlotSpace.Slot slot = space.slot(r.cpu());
        return new ReleaseView(slot.node(), slot.cpu(), r.replica(), r.fence(), r.generation(), r.since());
    }

    private static Map<String, String> lists(Map<String, CpuSet> masks, SlotSpace space) {
        Map<String, String> out = new TreeMap<>();
        masks.forEach((k, v) -> out.put(k, space.describe(v)));
        return out;
    }
}
