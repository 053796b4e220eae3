package io.tsfleet.coordinator.simulation;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A listener replica that follows the directive contract of {@link ReplicaDirective} exactly, per node it holds slots
 * of (one connection per (node, CPU), as the listener has):
 * <ul>
 *   <li>a directive older than the applied generation is ignored;</li>
 *   <li>a node the directive names: CPUs in its target are registered on the node's broker and their records kept;
 *       a node that was named before and is not any more: every connection to it is closed at once, and the records
 *       held back on it are dropped with the node;</li>
 *   <li>a registered CPU that left the target without a fence is held: its records are kept back until either
 *       it re-enters the target (all kept) or a fence arrives (below the fence kept, the rest discarded);</li>
 *   <li>after a fence it keeps records below the fence, discards the rest, deregisters once it has seen
 *       {@code seq >= fence - 1}, and reports the CPU in {@code released}; a fence is applied only to a connection to
 *       the boot the directive names (a fence is a sequence number of one boot);</li>
 *   <li>it reports the first sequence number of each acquired CPU for one lease after receiving it, and of every
 *       registered CPU that is not in its target (so that a stray registration can be fenced off);</li>
 *   <li>when a node's broker goes away (the node reboots or stops), its connections break, as the listener's do: an
 *       owned CPU reconnects once the broker is back (a new run of sequence numbers under the new boot id, never a
 *       gap), a CPU held back is written and given up (the handover is aborted), a fenced one is released.</li>
 * </ul>
 * Capacity: a token bucket; records beyond it are dropped (lost, counted per CPU as the sequence gap the next record
 * shows, and an ENOBUFS episode). A fenced CPU that never sees {@code fence - 1} is released after a timeout, as the
 * listener does.
 */
final class SimReplica {
    final String id;
    final String incarnation;
    private final Function<String, SimNode> nodes;
    private final double capacity;
    private final long leaseMillis;

    boolean alive = true;
    boolean draining;
    long drainingSinceMillis = -1;
    private long appliedGeneration;
    private final TreeMap<String, NodeConnections> conns = new TreeMap<>();
    private double tokens;
    private long recordsTotal, lostTotal, enobufsTotal, duplicatesTotal;
    /** Records dropped by the token bucket, and the sequence gaps counted from what arrived: gaps never exceed drops. */
    long overflowDrops, gapLost;
    private boolean congested;
    private long lastHeartbeatMillis;
    final Map<Long, String> directivesSeen = new HashMap<>(); // generation -> directive content (consistency check)
    int staleDirectivesIgnored;
    int fencesOfAnotherBootIgnored;

    /** The replica's connections to one node's broker, one per CPU. */
    private static final class NodeConnections {
        /** The boot the connections were made to (null before the first). */
        String bootId;
        /** The boot the last directive named for the node. */
        String directiveBootId;
        CpuSet target = CpuSet.EMPTY;
        final TreeMap<Integer, CpuState> registered = new TreeMap<>();
        final Set<Integer> releasedSinceHeartbeat = new TreeSet<>();
    }

    private static final class CpuState {
        /** Whether the CPU's connection is registered on the broker (false: waiting to reconnect). */
        boolean connected;
        long reconnectAtMillis;
        Ledger ledger;
        String bootId;
        Long firstSeq;
        long firstSeqAtMillis;
        Long fence;
        long fencedAtMillis;
        Long lastSeq;
        long seqAtHeartbeat = -1;
        long lostInInterval;
        final List<Long> held = new ArrayList<>();
    }

    SimReplica(String id, String incarnation, Function<String, SimNode> nodes, double capacity, long leaseMillis, long nowMillis) {
        this.id = id;
        this.incarnation = incarnation;
        this.nodes = nodes;
        this.capacity = capacity;
        this.leaseMillis = leaseMillis;
        this.tokens = capacity;
        this.lastHeartbeatMillis = nowMillis;
    }

    private CpuState state(SimNode node, int cpu) {
        NodeConnections nc = conns.get(node.name);
        if (nc == null) return null;
        CpuState st = nc.registered.get(cpu);
        return st == null || !st.connected || st.ledger != node.ledger ? null : st;
    }

    /** Whether the replica receives the exits of {@code cpu} of the node's current boot. */
    boolean registeredOn(SimNode node, int cpu) {
        return alive && state(node, cpu) != null;
    }

    /** Whether the replica keeps the records of {@code cpu} of the node's current boot as their owner (in its target, no fence). */
    boolean keeps(SimNode node, int cpu) {
        CpuState st = alive ? state(node, cpu) : null;
        return st != null && st.fence == null && conns.get(node.name).target.contains(cpu);
    }

    /** Whether the replica has any connection (made or to be made) to the node. */
    boolean connectedTo(String node) {
        NodeConnections nc = conns.get(node);
        return alive && nc != null && !nc.registered.isEmpty();
    }

    long appliedGeneration() {
        return appliedGeneration;
    }

    /** Refills the token bucket and reconnects the connections that broke (called every simulation tick). */
    void tick(double seconds, long nowMillis) {
        tokens = Math.min(capacity, tokens + capacity * seconds);
        for (Map.Entry<String, NodeConnections> e : conns.entrySet()) {
            SimNode node = nodes.apply(e.getKey());
            if (node == null || !node.brokerUp) continue;
            for (CpuState st : e.getValue().registered.values()) {
                if (!st.connected && nowMillis >= st.reconnectAtMillis) connect(e.getValue(), st, node);
            }
        }
        forceStaleReleases(nowMillis);
    }

    private static void connect(NodeConnections nc, CpuState st, SimNode node) {
        st.connected = true;
        st.ledger = node.ledger;
        st.bootId = node.bootId;
        st.firstSeq = null;
        st.lastSeq = null;
        st.seqAtHeartbeat = -1;
        nc.bootId = node.bootId;
    }

    /** The kernel delivers an exit of {@code cpu} of {@code node}. */
    void receive(SimNode node, int cpu, long seq, int nowMillis) {
        CpuState st = state(node, cpu);
        if (st == null) return;
        NodeConnections nc = conns.get(node.name);
        Ledger ledger = st.ledger;
        if (tokens < 1) {
            ledger.flag(cpu, seq, Ledger.OVERFLOW);
            overflowDrops++;
            lostTotal++;
            if (!congested) enobufsTotal++;
            congested = true;
            return;
        }
        if (st.lastSeq != null && seq != Serial.next(st.lastSeq)) {
            long gap = (seq - st.lastSeq - 1) & 0xFFFF_FFFFL; // a gap within the run: records the broker dropped
            st.lostInInterval += gap;
            gapLost += gap;
        }
        st.lastSeq = seq;
        congested = false;
        tokens -= 1;
        recordsTotal++;
        if (st.firstSeq == null) {
            st.firstSeq = seq;
            st.firstSeqAtMillis = nowMillis;
        }
        if (st.fence != null) {
            if (Serial.less(seq, st.fence)) ledger.kept(cpu, seq, id, nowMillis);
            if (!Serial.less(seq, Serial.minusOne(st.fence))) deregister(nc, cpu);
        } else if (nc.target.contains(cpu)) {
            ledger.kept(cpu, seq, id, nowMillis);
        } else {
            st.held.add(seq);
        }
    }

    private static void deregister(NodeConnections nc, int cpu) {
        nc.registered.remove(cpu);
        nc.releasedSinceHeartbeat.add(cpu);
    }

    void apply(ReplicaDirective d, int nowMillis) {
        if (!alive) return;
        if (d.generation() < appliedGeneration) {
            staleDirectivesIgnored++;
            return;
        }
        appliedGeneration = d.generation();
        Set<String> named = new HashSet<>();
        for (NodeTarget t : d.nodes()) named.add(t.node());
        for (String gone : new ArrayList<>(conns.keySet())) {
            if (!named.contains(gone)) closeNode(gone);
        }
        for (NodeTarget t : d.nodes()) applyTarget(t, nowMillis);
    }

    /** A node no longer named: every connection to it is closed at once; what it held back is dropped with the node. */
    private void closeNode(String name) {
        NodeConnections nc = conns.remove(name);
        for (Map.Entry<Integer, CpuState> e : nc.registered.entrySet()) {
            CpuState st = e.getValue();
            for (long seq : st.held) st.ledger.flag(e.getKey(), seq, Ledger.DROPPED_WITH_NODE);
        }
    }

    private void applyTarget(NodeTarget t, int nowMillis) {
        NodeConnections nc = conns.computeIfAbsent(t.node(), k -> new NodeConnections());
        SimNode node = nodes.apply(t.node());
        nc.directiveBootId = t.bootId();
        try {
            nc.target = CpuSet.parse(t.targetCpus());
        } catch (CpulistParseException e) {
            throw new AssertionError("coordinator sent a bad cpulist: " + t.targetCpus(), e);
        }
        nc.target.forEach(c -> {
            CpuState st = nc.registered.get(c);
            if (st == null) {
                st = new CpuState();
                nc.registered.put(c, st);
                if (node != null && node.brokerUp) connect(nc, st, node);
                else st.reconnectAtMillis = nowMillis;
            } else {
                st.fence = null;
                for (long seq : st.held) st.ledger.kept(c, seq, id, nowMillis);
                st.held.clear();
            }
        });
        for (Map.Entry<Integer, Long> e : t.releaseFences().entrySet()) {
            int c = e.getKey();
            CpuState st = nc.registered.get(c);
            if (st == null || nc.target.contains(c) || st.fence != null) continue;
            if (!st.connected || (t.bootId() != null && !t.bootId().equals(st.bootId))) {
                fencesOfAnotherBootIgnored++; // a sequence number of another boot than the one this connection sees
                continue;
            }
            long fence = e.getValue();
            st.fence = fence;
            st.fencedAtMillis = nowMillis;
            for (long seq : st.held) if (Serial.less(seq, fence)) st.ledger.kept(c, seq, id, nowMillis);
            st.held.clear();
            if (st.lastSeq != null && !Serial.less(st.lastSeq, Serial.minusOne(fence))) deregister(nc, c);
        }
    }

    /**
     * The node's broker went away (the node reboots, crashes or stops): every connection to it breaks. As the
     * listener's channels do: an owned CPU reconnects after a retry delay (a new run of sequence numbers); a CPU held
     * back for a handover writes what it held and is given up (the handover is aborted); a fenced CPU is released.
     */
    void brokerLost(SimNode node, long reconnectAtMillis, int nowMillis) {
        if (!alive) return;
        NodeConnections nc = conns.get(node.name);
        if (nc == null) return;
        for (Map.Entry<Integer, CpuState> e : new ArrayList<>(nc.registered.entrySet())) {
            int c = e.getKey();
            CpuState st = e.getValue();
            if (!st.connected) continue;
            if (st.fence != null) {
                deregister(nc, c);
            } else if (!nc.target.contains(c)) {
                for (long seq : st.held) {
                    st.ledger.flag(c, seq, Ledger.HELD_AT_BREAK);
                    st.ledger.kept(c, seq, id, nowMillis);
                }
                st.held.clear();
                nc.registered.remove(c);
            } else {
                st.connected = false;
                st.reconnectAtMillis = reconnectAtMillis;
            }
        }
    }

    /**
     * A fenced CPU whose {@code fence - 1} never arrives (all its records are dropped by overflow) is released
     * anyway after the handover timeout, as the listener does ({@code tsfleet_listener_releases_forced_total}).
     */
    private void forceStaleReleases(long nowMillis) {
        for (NodeConnections nc : conns.values()) {
            List<Integer> stale = new ArrayList<>();
            nc.registered.forEach((c, st) -> {
                if (st.fence != null && nowMillis - st.fencedAtMillis > FORCED_RELEASE_MS) stale.add(c);
            });
            stale.forEach(c -> deregister(nc, c));
        }
    }

    static final long FORCED_RELEASE_MS = 10_000;

    ReplicaHeartbeat heartbeat(int nowMillis) {
        double seconds = Math.max(0.001, (nowMillis - lastHeartbeatMillis) / 1000.0);
        lastHeartbeatMillis = nowMillis;
        List<NodeReport> reports = new ArrayList<>();
        for (Map.Entry<String, NodeConnections> n : conns.entrySet()) {
            NodeConnections nc = n.getValue();
            List<Double> rates = new ArrayList<>();
            List<Long> lost = new ArrayList<>();
            Map<Integer, Long> firstSeqs = new TreeMap<>();
            CpuSet.Builder owned = CpuSet.builder();
            for (Map.Entry<Integer, CpuState> e : nc.registered.entrySet()) {
                CpuState st = e.getValue();
                if (!st.connected) continue;
                owned.add(e.getKey());
                long delta = 0;
                if (st.lastSeq != null) {
                    delta = st.seqAtHeartbeat < 0 ? 0 : (st.lastSeq - st.seqAtHeartbeat) & 0xFFFF_FFFFL;
                    st.seqAtHeartbeat = st.lastSeq;
                }
                rates.add(delta / seconds);
                lost.add(st.lostInInterval);
                st.lostInInterval = 0;
                boolean recentlyAcquired = st.firstSeq != null && nowMillis - st.firstSeqAtMillis <= leaseMillis;
                boolean leavingOrStray = !nc.target.contains(e.getKey());
                if (st.firstSeq != null && (recentlyAcquired || leavingOrStray)) firstSeqs.put(e.getKey(), st.firstSeq);
            }
            String released = CpuSet.of(nc.releasedSinceHeartbeat.stream().mapToInt(Integer::intValue).toArray()).toCpulist();
            nc.releasedSinceHeartbeat.clear();
            reports.add(new NodeReport(n.getKey(), nc.bootId, owned.build().toCpulist(), rates, lost, firstSeqs, released));
        }
        return new ReplicaHeartbeat(id, incarnation, appliedGeneration, draining ? ReplicaHeartbeat.DRAINING : ReplicaHeartbeat.ACTIVE,
                null, null, capacity, recordsTotal, lostTotal, enobufsTotal, duplicatesTotal, reports);
    }

    /** The process dies: registrations vanish, held records are lost with it. */
    void crash() {
        alive = false;
        for (NodeConnections nc : conns.values()) {
            for (Map.Entry<Integer, CpuState> e : nc.registered.entrySet()) {
                for (long seq : e.getValue().held) e.getValue().ledger.flag(e.getKey(), seq, Ledger.CRASH_HELD);
            }
        }
        conns.clear();
    }

    boolean drainedOut() {
        if (!draining) return false;
        for (NodeConnections nc : conns.values()) if (!nc.target.isEmpty() || !nc.registered.isEmpty()) return false;
        return true;
    }

    /** Records of {@code ledger}'s CPU still held (undecided) at the end of a run. */
    Set<Long> heldOn(Ledger ledger, int cpu) {
        Set<Long> out = new HashSet<>();
        for (NodeConnections nc : conns.values()) {
            CpuState st = nc.registered.get(cpu);
            if (st != null && st.ledger == ledger) out.addAll(st.held);
        }
        return out;
    }

    /** What the replica holds, node by node (for a violation's message). */
    String describe() {
        StringBuilder b = new StringBuilder(id + " g" + appliedGeneration + ":");
        conns.forEach((node, nc) -> {
            b.append(' ').append(node).append("[boot ").append(nc.bootId).append(", directive boot ").append(nc.directiveBootId).append(", target ")
                    .append(nc.target.toCpulist()).append(", registered");
            nc.registered.forEach((c, st) -> b.append(' ').append(c).append(st.connected ? "" : "(down)").append(st.fence != null ? "(fence " + st.fence + ")" : "")
                    .append(st.held.isEmpty() ? "" : "(holds " + st.held.size() + ")"));
            b.append(']');
        });
        return b.toString();
    }

    /** The directive's target CPUs on {@code node} as last applied. */
    CpuSet target(String node) {
        NodeConnections nc = conns.get(node);
        return nc == null ? CpuSet.EMPTY : nc.target;
    }
}
