package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.SlotSpace;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a replica's directive: its target slots and release fences, split into one {@link NodeTarget} per node. A node
 * is named while the replica should own slots there, has fences to honour there, or still reports being registered
 * there (a slot leaving it before its fence is known): a replica closes the connections of a node its directive does
 * not name at once, which is only right for a node that is gone.
 */
final class Directives {
    private Directives() {
    }

    static ReplicaDirective of(String replica, long generation, CpuTable table, SlotSpace space, CoordinatorSettings settings,
                               CpuSet registered) {
        CpuSet target = table.directiveTarget(replica);
        Map<String, CpuSet.Builder> cpus = new TreeMap<>();
        Map<String, Map<Integer, Long>> fences = new TreeMap<>();
        for (int slot = target.nextCpu(0); slot >= 0; slot = target.nextCpu(slot + 1)) {
            SlotSpace.NodeBlock b = space.blockOf(slot);
            if (b != null) cpus.computeIfAbsent(b.node(), k -> CpuSet.builder()).add(slot - b.offset());
        }
        table.releaseFences(replica).forEach((slot, fence) -> {
            SlotSpace.NodeBlock b = space.blockOf(slot);
            if (b != null) fences.computeIfAbsent(b.node(), k -> new TreeMap<>()).put(slot - b.offset(), fence);
        });
        List<NodeTarget> nodes = new ArrayList<>();
        java.util.Set<String> names = new java.util.TreeSet<>(cpus.keySet());
        names.addAll(fences.keySet());
        for (int slot = registered.nextCpu(0); slot >= 0; slot = registered.nextCpu(slot + 1)) {
            SlotSpace.NodeBlock b = space.blockOf(slot);
            if (b != null) {
                names.add(b.node());
                slot = b.offset() + b.width() - 1; // one look per node
            }
        }
        for (String name : names) {
            SlotSpace.NodeBlock b = space.node(name);
            CpuSet.Builder mine = cpus.get(name);
            nodes.add(new NodeTarget(name, b.bootId(), b.broker(), mine == null ? "" : mine.build().toCpulist(), fences.getOrDefault(name, Map.of())));
        }
        return new ReplicaDirective(generation, nodes, settings.heartbeatInterval().toMillis(), settings.lease().toMillis());
    }
}
