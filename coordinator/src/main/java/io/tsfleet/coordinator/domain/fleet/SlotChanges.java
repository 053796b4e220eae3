package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Instant;
import java.util.Map;

/**
 * Keeps the slots in step with the nodes: a node that joins adds its block of slots (uncovered until the next plan
 * covers them, within a tick); a node that leaves or expires takes its slots with it (owners, plans, handovers,
 * releases, loads and pins of those slots are dropped, and the next directives no longer name the node, so its
 * replicas close their connections to it); a node that reboots keeps its slots and their owners, but its handovers
 * and releases end (their fences were sequence numbers of the old boot) and its loads start anew.
 *
 * <p>A static fleet ({@code possible-cpus} configured) has one fixed node: announcements change nothing here.
 */
public final class SlotChanges {
    private final boolean staticFleet;
    private final CpuTable table;
    private final Membership membership;
    private final LoadTracker loads;
    private final Map<String, CpuSet> pins;
    private final Reconciler reconciler;
    private final Generations generations;
    private volatile SlotSpace space;

    public SlotChanges(SlotSpace initial, boolean staticFleet, CpuTable table, Membership membership, LoadTracker loads,
                       Map<String, CpuSet> pins, Reconciler reconciler, Generations generations) {
        this.space = initial;
        this.staticFleet = staticFleet;
        this.table = table;
        this.membership = membership;
        this.loads = loads;
        this.pins = pins;
        this.reconciler = reconciler;
        this.generations = generations;
    }

    /** The slots now; safe to read from any thread (it is replaced, never changed). */
    public SlotSpace space() {
        return space;
    }

    public boolean staticFleet() {
        return staticFleet;
    }

    /** Restores a persisted layout into the empty table (before anything else of the snapshot). */
    public void restore(SlotSpace layout) {
        if (staticFleet) return;
        reshape(layout);
    }

    /** A node joined, or renewed its lease: its slots exist, with its current boot, broker and zone. */
    public void announced(AnnouncedNode node, Instant now) {
        if (staticFleet) return;
        SlotSpace.NodeBlock block = space.node(node.name());
        if (block != null && !block.cpus().equals(node.possibleCpus())) {
            gone(node.name()); // another CPU set: a new block (the old one's slots and plans are gone)
            block = null;
        }
        if (block == null) {
            reshape(space.withNode(node.name(), node.bootId(), node.broker(), node.zone(), node.possibleCpus()));
            generations.stamp();
            return;
        }
        boolean rebooted = block.bootId() != null && !block.bootId().equals(node.bootId());
        if (rebooted) {
            CpuSet slots = block.slots();
            reconciler.onSequencesRestarted(slots, now);
            slots.forEach(loads::forget);
        }
        if (rebooted || !java.util.Objects.equals(block.broker(), node.broker()) || !java.util.Objects.equals(block.zone(), node.zone())) {
            space = space.withNodeFacts(node.name(), node.bootId(), node.broker(), node.zone());
            generations.stamp();
        }
    }

    /** A node left or expired: its slots are gone. */
    public void gone(String name) {
        if (staticFleet) return;
        SlotSpace.NodeBlock block = space.node(name);
        if (block == null) return;
        CpuSet slots = block.slots();
        reshape(space.withoutNode(name));
        slots.forEach(loads::forget);
        for (Member m : membership.all()) {
            if (m.owned().intersects(slots)) m.owned(m.owned().minus(slots));
        }
        pins.replaceAll((id, mask) -> mask.minus(slots));
        pins.values().removeIf(CpuSet::isEmpty);
        generations.stamp();
    }

    private void reshape(SlotSpace next) {
        table.reshape(next.slots());
        loads.grow(next.slots().length());
        space = next;
    }
}
