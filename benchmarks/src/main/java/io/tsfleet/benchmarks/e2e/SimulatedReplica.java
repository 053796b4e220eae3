package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A listener replica as the coordinator sees it, without a broker: it follows its directives per node and writes the
 * heartbeats a real replica would, with the per-CPU rates and first sequence numbers of {@link SyntheticNodes}.
 *
 * <ul>
 *   <li>a directive older than the applied generation is ignored;</li>
 *   <li>a CPU that enters the target is registered at once, its first record being the CPU's sequence number then;
 *       its first sequence number is reported for one lease (and while the CPU is outside the target);</li>
 *   <li>a registered CPU that leaves the target without a fence is held (still reported as owned);</li>
 *   <li>a fence releases the CPU at once (every CPU has traffic, so the replica has already seen {@code fence - 1})
 *       and the next heartbeat reports it in {@code released};</li>
 *   <li>a node missing from the directive is closed: its CPUs are dropped without a release.</li>
 * </ul>
 * Thread-safe: a replica's own loop heartbeats it, the harness reads its summary.
 */
final class SimulatedReplica {
    private final String id;
    private final String incarnation = UUID.randomUUID().toString();
    private final String node;
    private final String zone;
    private final double capacity;
    private final SyntheticNodes nodes;
    private final long leaseMillis;
    private final TreeMap<String, NodeHold> held = new TreeMap<>();
    private long appliedGeneration;
    private long records;

    /** What the replica holds on one node. */
    private static final class NodeHold {
        CpuSet target = CpuSet.EMPTY;
        /** Registered CPUs: CPU -> first sequence number and when it was taken. */
        final TreeMap<Integer, long[]> registered = new TreeMap<>();
        final Set<Integer> released = new TreeSet<>();
    }

    SimulatedReplica(String id, String node, String zone, double capacity, SyntheticNodes nodes, long leaseMillis) {
        this.id = id;
        this.node = node;
        this.zone = zone;
        this.capacity = capacity;
        this.nodes = nodes;
        this.leaseMillis = leaseMillis;
    }

    String id() {
        return id;
    }

    /** The heartbeat a replica sends at {@code nowMillis}: per node, its registered CPUs with their rates. */
    synchronized ReplicaHeartbeat heartbeat(long nowMillis) {
        List<NodeReport> reports = new ArrayList<>();
        for (Map.Entry<String, NodeHold> e : held.entrySet()) {
            NodeHold h = e.getValue();
            if (h.registered.isEmpty() && h.released.isEmpty()) continue;
            SyntheticNodes.Node n = nodes.node(e.getKey());
            CpuSet.Builder owned = CpuSet.builder();
            List<Double> rates = new ArrayList<>(h.registered.size());
            List<Long> lost = new ArrayList<>(h.registered.size());
            Map<Integer, Long> firstSeqs = new TreeMap<>();
            for (Map.Entry<Integer, long[]> c : h.registered.entrySet()) {
                int cpu = c.getKey();
                owned.add(cpu);
                rates.add(n.measuredRate(cpu, nowMillis));
                lost.add(0L);
                boolean recent = nowMillis - c.getValue()[1] <= leaseMillis;
                if (recent || !h.target.contains(cpu)) firstSeqs.put(cpu, c.getValue()[0]);
                records += Math.round(n.rate(cpu) * 2);
            }
            String released = CpuSet.of(h.released.stream().mapToInt(Integer::intValue).toArray()).toCpulist();
            h.released.clear();
            reports.add(new NodeReport(n.name(), n.bootId(), owned.build().toCpulist(), rates, lost, firstSeqs, released));
        }
        return new ReplicaHeartbeat(id, incarnation, appliedGeneration, ReplicaHeartbeat.ACTIVE, node, zone, capacity, records, 0, 0, 0, reports);
    }

    /** Applies a directive received at {@code nowMillis}. */
    synchronized void apply(ReplicaDirective d, long nowMillis) {
        if (d.generation() < appliedGeneration) return;
        appliedGeneration = d.generation();
        Set<String> named = new HashSet<>();
        for (NodeTarget t : d.nodes() == null ? List.<NodeTarget>of() : d.nodes()) {
            named.add(t.node());
            SyntheticNodes.Node n = nodes.node(t.node());
            NodeHold h = held.computeIfAbsent(t.node(), k -> new NodeHold());
            try {
                h.target = t.targetCpus() == null || t.targetCpus().isBlank() ? CpuSet.EMPTY : CpuSet.parse(t.targetCpus());
            } catch (CpulistParseException e) {
                throw new IllegalStateException("the coordinator sent a bad cpulist for " + t.node() + ": " + t.targetCpus(), e);
            }
            h.target.forEach(cpu -> h.registered.computeIfAbsent(cpu, c -> new long[] {n.sequence(c, nowMillis), nowMillis}));
            if (t.releaseFences() != null) {
                for (Integer cpu : t.releaseFences().keySet()) {
                    if (!h.target.contains(cpu) && h.registered.remove(cpu) != null) h.released.add(cpu);
                }
            }
        }
        held.keySet().removeIf(name -> !named.contains(name));
    }

    /** CPUs registered per node right now, and whether every one of them is in the target and every target CPU registered. */
    synchronized Holding holding() {
        int registered = 0;
        boolean matches = true;
        for (NodeHold h : held.values()) {
            registered += h.registered.size();
            if (h.registered.size() != h.target.size() || !h.released.isEmpty()) matches = false;
            else for (int cpu : h.registered.keySet()) if (!h.target.contains(cpu)) matches = false;
        }
        return new Holding(registered, matches, appliedGeneration);
    }

    /** A replica's holding: registered CPUs (all nodes), whether it holds exactly its target, its applied generation. */
    record Holding(int registered, boolean matchesTarget, long generation) {
    }
}
