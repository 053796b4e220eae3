package io.tsfleet.coordinator.domain.fleet;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;

import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-CPU ownership: the committed owner (the replica whose records count), the planned target, the handover in
 * flight and the releases being waited for. Arrays indexed by CPU; ids are replica ids.
 */
public final class CpuTable {
    private CpuSet possible;
    private String[] owner;
    private String[] target;
    private Handover[] handover;
    private Instant[] retryAfter;
    private int[] rollbacks;            // consecutive rolled-back handovers of the CPU (for the backoff)
    private Instant[] ownerSince;       // when the owner took the CPU (null: before this coordinator, or long registered)
    private Long[] ownerFirstSeq;       // the owner's first sequence number on the CPU, when known
    private long[] ownerGeneration;     // the generation that gave the owner the CPU
    private final TreeMap<Integer, TreeMap<String, Release>> releases = new TreeMap<>();
    // Indexes, so that a heartbeat costs what its replica holds, not a scan of every slot of a large fleet:
    private final BitSet withHandover = new BitSet();             // slots with a handover in flight
    private final BitSet unsettled = new BitSet();                // slots whose target is set and is not their owner
    private final Map<String, BitSet> ownedBy = new HashMap<>();  // each owner's slots

    public CpuTable(CpuSet possible) {
        this.possible = possible;
        int n = possible.length();
        owner = new String[n];
        target = new String[n];
        handover = new Handover[n];
        retryAfter = new Instant[n];
        rollbacks = new int[n];
        ownerSince = new Instant[n];
        ownerFirstSeq = new Long[n];
        ownerGeneration = new long[n];
    }

    public CpuSet possible() {
        return possible;
    }

    /**
     * The slots change (a node joined or left): slots that are new start without owner, plan or handover; slots
     * that are no longer possible lose theirs, and their releases. Nothing else changes.
     */
    void reshape(CpuSet newPossible) {
        possible.minus(newPossible).forEach(this::clear);
        int n = newPossible.length();
        if (n > owner.length) {
            owner = Arrays.copyOf(owner, n);
            target = Arrays.copyOf(target, n);
            handover = Arrays.copyOf(handover, n);
            retryAfter = Arrays.copyOf(retryAfter, n);
            rollbacks = Arrays.copyOf(rollbacks, n);
            ownerSince = Arrays.copyOf(ownerSince, n);
            ownerFirstSeq = Arrays.copyOf(ownerFirstSeq, n);
            ownerGeneration = Arrays.copyOf(ownerGeneration, n);
        }
        possible = newPossible;
    }

    private void clear(int slot) {
        setOwner(slot, null);
        target[slot] = null;
        unsettled.clear(slot);
        setHandover(slot, null);
        retryAfter[slot] = null;
        rollbacks[slot] = 0;
        ownerSince[slot] = null;
        ownerFirstSeq[slot] = null;
        ownerGeneration[slot] = 0;
        releases.remove(slot);
    }

    public boolean isPossible(int cpu) {
        return possible.contains(cpu);
    }

    public String owner(int cpu) {
        return owner[cpu];
    }

    /** Sets the owner without ownership facts (restore, uncovered). */
    void owner(int cpu, String replica) {
        setOwner(cpu, replica);
        ownerSince[cpu] = null;
        ownerFirstSeq[cpu] = null;
        ownerGeneration[cpu] = 0;
    }

    /**
     * A replica takes the CPU now, under {@code generation}: at a fence ({@code firstSeq} = the fence), or without
     * make-before-break ({@code firstSeq} learned later from its heartbeats). {@code since} null means the replica
     * has been registered on the CPU for long (e.g. an old owner whose release was cancelled).
     */
    void takeOwnership(int cpu, String replica, Instant since, Long firstSeq, long generation) {
        setOwner(cpu, replica);
        ownerSince[cpu] = since;
        ownerFirstSeq[cpu] = firstSeq;
        ownerGeneration[cpu] = generation;
    }

    public Instant ownerSince(int cpu) {
        return ownerSince[cpu];
    }

    public Long ownerFirstSeq(int cpu) {
        return ownerFirstSeq[cpu];
    }

    long ownerGeneration(int cpu) {
        return ownerGeneration[cpu];
    }

    void ownerFirstSeq(int cpu, long seq) {
        ownerFirstSeq[cpu] = seq;
    }

    /** The owner's first sequence number is to be learned again (its node rebooted). */
    void forgetFirstSeq(int cpu) {
        ownerFirstSeq[cpu] = null;
    }

    public String target(int cpu) {
        return target[cpu];
    }

    void target(int cpu, String replica) {
        target[cpu] = replica;
        settle(cpu);
    }

    private void setOwner(int cpu, String replica) {
        String old = owner[cpu];
        if (old != null) {
            BitSet mine = ownedBy.get(old);
            mine.clear(cpu);
            if (mine.isEmpty()) ownedBy.remove(old);
        }
        owner[cpu] = replica;
        if (replica != null) ownedBy.computeIfAbsent(replica, k -> new BitSet()).set(cpu);
        settle(cpu);
    }

    private void settle(int cpu) {
        String t = target[cpu];
        unsettled.set(cpu, t != null && !t.equals(owner[cpu]));
    }

    private void setHandover(int cpu, Handover h) {
        handover[cpu] = h;
        withHandover.set(cpu, h != null);
    }

    /**
     * The lowest possible slot at or after {@code from} whose target is set and is not its owner (it may have a handover
     * in flight), or -1: the slots a reconciler may have to move, without a scan of the settled ones.
     */
    public int nextUnsettled(int from) {
        for (int c = unsettled.nextSetBit(Math.max(0, from)); c >= 0; c = unsettled.nextSetBit(c + 1)) {
            if (possible.contains(c)) return c;
        }
        return -1;
    }

    public Handover handover(int cpu) {
        return handover[cpu];
    }

    void handover(int cpu, Handover h) {
        setHandover(cpu, h);
    }

    Instant retryAfter(int cpu) {
        return retryAfter[cpu];
    }

    void retryAfter(int cpu, Instant when) {
        retryAfter[cpu] = when;
    }

    /** Counts a rolled-back handover of the CPU; returns how many happened in a row. */
    int rolledBack(int cpu) {
        return ++rollbacks[cpu];
    }

    void movedSuccessfully(int cpu) {
        rollbacks[cpu] = 0;
    }

    /** The handovers in flight, in slot order. */
    public List<Handover> handovers() {
        List<Handover> out = new ArrayList<>();
        for (int c = withHandover.nextSetBit(0); c >= 0; c = withHandover.nextSetBit(c + 1)) {
            if (possible.contains(c)) out.add(handover[c]);
        }
        return out;
    }

    public Map<String, Release> releasesOf(int cpu) {
        TreeMap<String, Release> m = releases.get(cpu);
        return m == null ? Map.of() : Collections.unmodifiableMap(m);
    }

    public List<Release> releases() {
        List<Release> out = new ArrayList<>();
        releases.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    public List<Release> releasesBy(String replica) {
        List<Release> out = new ArrayList<>();
        releases.values().forEach(m -> {
            Release r = m.get(replica);
            if (r != null) out.add(r);
        });
        return out;
    }

    void addRelease(Release r) {
        releases.computeIfAbsent(r.cpu(), k -> new TreeMap<>()).put(r.replica(), r);
    }

    void removeRelease(int cpu, String replica) {
        TreeMap<String, Release> m = releases.get(cpu);
        if (m == null) return;
        m.remove(replica);
        if (m.isEmpty()) releases.remove(cpu);
    }

    public boolean hasRelease(int cpu, String replica) {
        TreeMap<String, Release> m = releases.get(cpu);
        return m != null && m.containsKey(replica);
    }

    /** What the directive asks {@code replica} to own: its stable CPUs and the CPUs it is acquiring or has acquired. */
    public CpuSet directiveTarget(String replica) {
        BitSet owned = ownedBy.get(replica);
        BitSet b = owned == null ? new BitSet() : (BitSet) owned.clone();
        for (int c = withHandover.nextSetBit(0); c >= 0; c = withHandover.nextSetBit(c + 1)) {
            Handover h = handover[c];
            if (h.to().equals(replica) && h.newOwnerTargeted()) b.set(c);
            else b.clear(c);
        }
        long[] words = b.toLongArray();
        long[] possibleWords = possible.toWords();
        for (int i = 0; i < words.length; i++) words[i] &= i < possibleWords.length ? possibleWords[i] : 0;
        return CpuSet.fromWords(words);
    }

    /** The release fences the directive gives {@code replica}, by CPU. */
    public Map<Integer, Long> releaseFences(String replica) {
        Map<Integer, Long> out = new TreeMap<>();
        for (Release r : releasesBy(replica)) out.put(r.cpu(), r.fence());
        return out;
    }

    /** The mask each replica is committed to (owner view, handovers not applied). */
    public Map<String, CpuSet> ownerMasks() {
        Map<String, CpuSet> out = new TreeMap<>();
        long[] possibleWords = possible.toWords();
        ownedBy.forEach((id, slots) -> {
            long[] words = slots.toLongArray();
            for (int i = 0; i < words.length; i++) words[i] &= i < possibleWords.length ? possibleWords[i] : 0;
            CpuSet mask = CpuSet.fromWords(words);
            if (!mask.isEmpty()) out.put(id, mask);
        });
        return out;
    }

    /** The possible slots whose owner is one of {@code replicas} (one bitset operation per replica, no scan of every slot). */
    public CpuSet ownedByAny(java.util.Collection<String> replicas) {
        BitSet any = new BitSet();
        for (String r : replicas) {
            BitSet mine = ownedBy.get(r);
            if (mine != null) any.or(mine);
        }
        long[] words = any.toLongArray();
        long[] possibleWords = possible.toWords();
        for (int i = 0; i < words.length; i++) words[i] &= i < possibleWords.length ? possibleWords[i] : 0;
        return CpuSet.fromWords(words);
    }

    /** The planned target masks. */
    public Map<String, CpuSet> targetMasks() {
        return masks(target);
    }

    /**
     * Where each CPU is heading: the owner, or the new owner of a handover in flight. The planner starts from this,
     * so that a re-plan does not turn a handover around without a reason.
     */
    public Map<String, CpuSet> headingMasks() {
        String[] heading = owner.clone();
        possible.forEach(c -> {
            if (handover[c] != null) heading[c] = handover[c].to();
        });
        return masks(heading);
    }

    private Map<String, CpuSet> masks(String[] byCpu) {
        Map<String, CpuSet.Builder> b = new HashMap<>();
        for (int c = possible.nextCpu(0); c >= 0; c = possible.nextCpu(c + 1)) {
            if (byCpu[c] != null) b.computeIfAbsent(byCpu[c], k -> CpuSet.builder()).add(c);
        }
        Map<String, CpuSet> out = new TreeMap<>();
        b.forEach((k, v) -> out.put(k, v.build()));
        return out;
    }
}
