package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.counter.FleetCounts;
import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.FleetLoad;
import io.tsfleet.coordinator.domain.fleet.HeartbeatRefusal;
import io.tsfleet.coordinator.domain.fleet.LoadTracker;
import io.tsfleet.coordinator.domain.fleet.Member;
import io.tsfleet.coordinator.domain.fleet.MemberState;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;
import io.tsfleet.coordinator.domain.fleet.SlotChanges;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.coordinator.domain.policy.ScalingAdvisor;
import io.tsfleet.coordinator.domain.policy.ScalingRecommendation;
import io.tsfleet.coordinator.domain.view.CoordinatorStatus;
import io.tsfleet.planner.LocalityShare;
import io.tsfleet.planner.ReplicaSlot;
import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Takes the {@link CoordinatorStatus}: the fleet's numbers and the counters, after every operation. */
final class StatusReport {
    private final CpuTable table;
    private final Membership membership;
    private final Reconciler reconciler;
    private final FleetLoad fleetLoad;
    private final ScalingAdvisor scaling;
    private final SlotChanges slots;
    private final LoadTracker loads;

    StatusReport(FleetState fleet, ScalingAdvisor scaling) {
        this.slots = fleet.slots();
        this.loads = fleet.loads();
        this.table = fleet.table();
        this.membership = fleet.membership();
        this.reconciler = fleet.reconciler();
        this.fleetLoad = fleet.fleetLoad();
        this.scaling = scaling;
    }

    CoordinatorStatus take(long generation, FleetCounts counts) {
        Map<String, Integer> byState = new TreeMap<>();
        for (MemberState s : MemberState.values()) byState.put(s.name().toLowerCase(Locale.ROOT), 0);
        byState.put("presumed", 0);
        for (Member m : membership.all()) {
            byState.merge(m.presumed() ? "presumed" : m.state().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        int waiting = 0, total = 0;
        for (var h : table.handovers()) {
            total++;
            if (reconciler.waitingForTraffic(h)) waiting++;
        }
        ScalingRecommendation rec = scaling.last();
        LocalityShare locality = locality();
        return new CoordinatorStatus(generation, table.possible().size(), uncovered().size(), byState, total - waiting, waiting,
                reconciler.pendingMoves(), fleetLoad.imbalance(), fleetLoad.floor(), rec == null ? fleetLoad.activeReplicas() : rec.desiredReplicas(),
                fleetLoad.hotCpus().size(), rebalancesByTrigger(counts), counts.get(FleetCounter.CPUS_MOVED),
                counts.get(FleetCounter.HANDOVERS_COMPLETED), counts.get(FleetCounter.HANDOVER_ROLLBACKS),
                counts.get(FleetCounter.STALE_HEARTBEATS), counts.get(FleetCounter.STRAY_FENCES), counts.get(FleetCounter.STUCK_RELEASES),
                counts.get(FleetCounter.PERSIST_FAILURES), refusedHeartbeats(counts), locality.crossNodeShare(), locality.crossZoneShare());
    }

    /**
     * How much of the load the owners receive from another node, and from another zone, than their own (as the
     * replicas report where they run; a replica that does not say counts as remote).
     */
    private LocalityShare locality() {
        List<ReplicaSlot> located = new ArrayList<>();
        for (Member m : membership.all()) located.add(new ReplicaSlot(m.id(), 0, false, m.node(), m.zone()));
        return LocalityShare.of(table.ownerMasks(), located, loads.loads(), slots.space().topology());
    }

    /** Possible CPUs that no live replica reports being registered on. */
    CpuSet uncovered() {
        CpuSet.Builder covered = CpuSet.builder();
        for (Member m : membership.all()) covered.addAll(m.owned());
        return table.possible().minus(covered.build());
    }

    /** Every trigger, by its label. */
    private static Map<String, Long> rebalancesByTrigger(FleetCounts counts) {
        Map<String, Long> out = new TreeMap<>();
        for (RebalanceTrigger t : RebalanceTrigger.values()) out.put(t.label(), counts.get(FleetCounter.rebalances(t)));
        return out;
    }

    /** The reasons refused at least once, by their label. */
    private static Map<String, Long> refusedHeartbeats(FleetCounts counts) {
        Map<String, Long> out = new TreeMap<>();
        for (HeartbeatRefusal r : HeartbeatRefusal.values()) {
            long n = counts.get(FleetCounter.refused(r));
            if (n > 0) out.put(r.label(), n);
        }
        return out;
    }
}
