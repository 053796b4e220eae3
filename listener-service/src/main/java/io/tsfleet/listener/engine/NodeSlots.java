package io.tsfleet.listener.engine;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * What the replica holds on one node: the node's target, one {@link CpuChannel} per CPU of the node it holds (a slot
 * is a (node, CPU) pair), the released CPUs not yet acknowledged, the first sequence numbers still to report, and
 * where the node's broker is. The engine's lock guards the changes of the plan; channels read {@link #endpoint} at
 * every connection attempt (a rebooted node may come back under another address).
 *
 * <p>Per-node counters cost nothing on the hot path: the records and losses of a node are the sums of its channels'
 * ledgers, read at scrape time, plus what channels that ended had counted ({@link #retire}).
 */
public final class NodeSlots {
    private final String node;
    final ConcurrentSkipListMap<Integer, CpuChannel> channels = new ConcurrentSkipListMap<>();
    final Set<Integer> releasedPending = new ConcurrentSkipListSet<>();
    final Map<Integer, Integer> firstSeqReports = new ConcurrentHashMap<>();

    /** The node's target, null before a directive (or static mask) named it. */
    volatile CpuSet target;
    /** Where connections go; null while no broker is known for the node (then {@link #refusal} says why). */
    volatile NodeEndpoint endpoint;
    /** The boot the coordinator last planned the node for (null: not known). */
    volatile String plannedBootId;
    /** Why the replica does not connect to the node, or null. */
    volatile String refusal;
    /** The boot id the last connection to the node's broker reported (null before one, or from an older broker). */
    volatile String connectionBootId;
    /** The last broker refusal logged for the node (logged once per change). */
    private String lastLoggedRefusal;
    private long retiredRecords;
    private long retiredLost;
    private long retiredDuplicates;
    private long retiredEnobufs;

    NodeSlots(String node) {
        this.node = node;
    }

    public String node() {
        return node;
    }

    /** The node's target (empty before one is known). */
    public CpuSet target() {
        CpuSet t = target;
        return t == null ? CpuSet.EMPTY : t;
    }

    /** Why the replica does not connect to this node, or null when it does. */
    public String refusal() {
        return refusal;
    }

    /** The node's broker address, or null when none is known. */
    public String broker() {
        NodeEndpoint e = endpoint;
        return e == null ? null : e.broker().toString();
    }

    /** The boot id the connections to the node's broker report (null before the first handshake). */
    public String bootId() {
        return connectionBootId;
    }

    /** CPUs of the node registered on a live connection. */
    public CpuSet owned() {
        CpuSet.Builder b = CpuSet.builder();
        for (CpuChannel ch : channels.values()) if (ch.state().isRegistered()) b.add(ch.cpu());
        return b.build();
    }

    public int ownedCount() {
        int n = 0;
        for (CpuChannel ch : channels.values()) if (ch.state().isRegistered()) n++;
        return n;
    }

    /** Records kept on the node's CPUs since the replica started (scrape time: sums the channels' ledgers). */
    public synchronized long records() {
        return retiredRecords + sum(CpuChannel::recordsKept);
    }

    /** Records lost on the node's CPUs since the replica started: sequence gaps and records never written. */
    public synchronized long lost() {
        return retiredLost + sum(CpuChannel::lostReported);
    }

    /** Records of the node's CPUs received twice since the replica started (handover races). */
    public synchronized long duplicates() {
        return retiredDuplicates + sum(CpuChannel::duplicates);
    }

    /** ENOBUFS episodes on the node's connections since the replica started. */
    public synchronized long enobufs() {
        return retiredEnobufs + sum(CpuChannel::enobufs);
    }

    /** A count summed over the node's live channels (the caller holds the lock, so that no channel retires meanwhile). */
    private long sum(java.util.function.ToLongFunction<CpuChannel> count) {
        long n = 0;
        for (CpuChannel ch : channels.values()) n += count.applyAsLong(ch);
        return n;
    }

    /** A channel ended: its counts move to the node's retired sums, and it leaves the node (in one step for a scrape). */
    synchronized boolean retire(CpuChannel ch) {
        if (!channels.remove(ch.cpu(), ch)) return false;
        retiredRecords += ch.recordsKept();
        retiredLost += ch.lostReported();
        retiredDuplicates += ch.duplicates();
        retiredEnobufs += ch.enobufs();
        return true;
    }

    /** Records of a channel that ended were not written after all (the sink failed them later). */
    synchronized void retiredUnwritten(long records) {
        retiredLost += records;
    }

    /** Whether {@code refusal} is new for the node (log it) or the same as the last one logged (count it only). */
    synchronized boolean refusalChanged(String refusal) {
        if (refusal.equals(lastLoggedRefusal)) return false;
        lastLoggedRefusal = refusal;
        return true;
    }

    /** The last broker refusal (a broker serving another node), until a connection to the node registers; else null. */
    public synchronized String brokerRefusal() {
        return lastLoggedRefusal;
    }

    /** The broker connection succeeded: the next refusal is a change again. */
    synchronized void refusalCleared() {
        lastLoggedRefusal = null;
    }
}
