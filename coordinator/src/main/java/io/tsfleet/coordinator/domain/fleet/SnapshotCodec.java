package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot.HandoverRecord;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot.ReleaseRecord;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Turns the coordinator's state into an {@link AssignmentSnapshot} and back. */
public final class SnapshotCodec {
    private SnapshotCodec() {
    }

    public record Restored(int replicas, int handovers, int releases, String droppedCpus) {
    }

    public static AssignmentSnapshot snapshot(long generation, CpuTable table, Membership membership, Map<String, CpuSet> pins,
                                              LoadTracker loads, SlotChanges slots) {
        Map<String, String> owners = cpulists(table.ownerMasks());
        Map<String, String> targets = cpulists(table.targetMasks());
        List<HandoverRecord> handovers = new ArrayList<>();
        for (Handover h : table.handovers()) {
            handovers.add(new HandoverRecord(h.cpu(), h.from(), h.to(), h.phase().name(), h.phaseGeneration(), h.fence(), h.makeGeneration()));
        }
        List<ReleaseRecord> releases = new ArrayList<>();
        for (Release r : table.releases()) releases.add(new ReleaseRecord(r.cpu(), r.replica(), r.fence(), r.generation()));
        Set<String> draining = new TreeSet<>();
        Map<String, String> incarnations = new TreeMap<>();
        for (Member m : membership.all()) {
            if (m.draining()) draining.add(m.id());
            if (m.knownIncarnation() != null) incarnations.put(m.id(), m.knownIncarnation());
        }
        Map<Integer, Double> cpuLoads = new TreeMap<>();
        table.possible().forEach(c -> {
            if (loads.known(c)) cpuLoads.put(c, Math.round(loads.load(c) * 1000) / 1000.0);
        });
        List<AssignmentSnapshot.NodeRecord> nodes = new ArrayList<>();
        if (!slots.staticFleet()) {
            for (SlotSpace.NodeBlock b : slots.space().blocks()) {
                nodes.add(new AssignmentSnapshot.NodeRecord(b.node(), b.bootId(), b.broker(), b.zone(), b.cpus().toCpulist(), b.offset()));
            }
        }
        return new AssignmentSnapshot(generation, table.possible().toCpulist(), owners, targets, handovers, releases, cpulists(pins), draining,
                cpuLoads, incarnations, nodes);
    }

    /** The node layout of a snapshot (empty for a static fleet's). */
    public static SlotSpace layout(AssignmentSnapshot s) {
        List<SlotSpace.NodeBlock> blocks = new ArrayList<>();
        for (AssignmentSnapshot.NodeRecord n : s.nodes()) {
            blocks.add(new SlotSpace.NodeBlock(n.name(), n.bootId(), n.broker(), n.zone(), parseSlots("node " + n.name(), n.cpus()), n.offset()));
        }
        return SlotSpace.of(blocks);
    }

    /**
     * Restores a snapshot into an empty table and membership. Every replica named in it becomes a presumed member
     * (its lease starts now). CPUs that are no longer possible are dropped and reported.
     */
    public static Restored restore(AssignmentSnapshot s, CpuTable table, Membership membership, Map<String, CpuSet> pins,
                                   LoadTracker loads, Instant now) {
        CpuSet possible = table.possible();
        s.loads().forEach((cpu, load) -> {
            if (cpu != null && load != null && possible.contains(cpu)) loads.restore(cpu, load, now);
        });
        CpuSet.Builder dropped = CpuSet.builder();
        Map<String, CpuSet> owners = parse(s.owners(), possible, dropped);
        Map<String, CpuSet> targets = parse(s.targets(), possible, dropped);
        Set<String> ids = new TreeSet<>(owners.keySet());
        ids.addAll(targets.keySet());
        for (HandoverRecord h : s.handovers()) {
            ids.add(h.from());
            ids.add(h.to());
        }
        for (ReleaseRecord r : s.releases()) ids.add(r.replica());
        ids.addAll(s.draining());
        for (String id : ids) {
            CpuSet owned = owners.getOrDefault(id, CpuSet.EMPTY);
            for (ReleaseRecord r : s.releases()) if (r.replica().equals(id) && possible.contains(r.cpu())) owned = owned.union(CpuSet.of(r.cpu()));
            membership.presume(id, owned, s.draining().contains(id), s.incarnations().get(id), now);
        }
        owners.forEach((id, mask) -> mask.forEach(c -> table.owner(c, id)));
        targets.forEach((id, mask) -> mask.forEach(c -> table.target(c, id)));
        int handovers = 0;
        for (HandoverRecord h : s.handovers()) {
            if (!possible.contains(h.cpu())) continue;
            HandoverPhase phase = HandoverPhase.valueOf(h.phase());
            long make = h.makeGeneration() != null ? h.makeGeneration() : h.phaseGeneration();
            table.handover(h.cpu(), Handover.restore(h.cpu(), h.from(), h.to(), phase, h.phaseGeneration(), h.fence(), make, now));
            handovers++;
        }
        int releases = 0;
        for (ReleaseRecord r : s.releases()) {
            if (!possible.contains(r.cpu())) continue;
            table.addRelease(new Release(r.cpu(), r.replica(), r.fence(), r.generation(), now));
            releases++;
        }
        parse(s.pins(), possible, dropped).forEach(pins::put);
        return new Restored(ids.size(), handovers, releases, dropped.build().toCpulist());
    }

    private static Map<String, String> cpulists(Map<String, CpuSet> masks) {
        Map<String, String> out = new TreeMap<>();
        masks.forEach((k, v) -> {
            if (!v.isEmpty()) out.put(k, v.toCpulist());
        });
        return out;
    }

    private static Map<String, CpuSet> parse(Map<String, String> masks, CpuSet possible, CpuSet.Builder dropped) {
        Map<String, CpuSet> out = new TreeMap<>();
        masks.forEach((id, list) -> {
            CpuSet set = parseSlots("mask of " + id, list);
            set.minus(possible).forEach(dropped::add);
            out.put(id, set.intersect(possible));
        });
        return out;
    }

    private static CpuSet parseSlots(String what, String list) {
        try {
            return CpulistParser.parse(list, SlotSpace.MAX_SLOTS);
        } catch (CpulistParseException e) {
            throw new IllegalArgumentException("persisted " + what + " is not a cpulist: " + e.getMessage(), e);
        }
    }
}
