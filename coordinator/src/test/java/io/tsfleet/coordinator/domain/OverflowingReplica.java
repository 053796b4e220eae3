package io.tsfleet.coordinator.domain;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A replica of a static fleet for the overflow tests: it follows the directive contract at once (registers its target,
 * deregisters at a fence) and, while the rates of its CPUs exceed its capacity, reports loss on its cold CPUs.
 */
final class OverflowingReplica {
    final String id;
    final double capacity;
    long generation;
    final TreeSet<Integer> owned = new TreeSet<>();
    final Map<Integer, Integer> firstSeqBeats = new HashMap<>();
    final TreeSet<Integer> released = new TreeSet<>();
    CpuSet target = CpuSet.EMPTY;

    private final Coordinator coordinator;
    private final double[] rate;

    /** {@code rate}: the exit rate of each CPU, shared with the test that changes it. */
    OverflowingReplica(String id, double capacity, Coordinator coordinator, double[] rate) {
        this.id = id;
        this.capacity = capacity;
        this.coordinator = coordinator;
        this.rate = rate;
    }

    double load() {
        return owned.stream().mapToDouble(c -> rate[c]).sum();
    }

    void beat() {
        beat(false);
    }

    /** A heartbeat soon after the previous one: the loss of this interval was reported already. */
    void earlyBeat() {
        beat(true);
    }

    private void beat(boolean early) {
        boolean over = load() > capacity && !early;
        List<Double> rates = new ArrayList<>();
        List<Long> lost = new ArrayList<>();
        for (int c : owned) {
            rates.add(rate[c]);
            lost.add(over && rate[c] <= 10 ? 3L : 0L); // it falls behind; the loss shows on a cold CPU first
        }
        Map<Integer, Long> firstSeqs = new TreeMap<>();
        firstSeqBeats.forEach((c, left) -> firstSeqs.put(c, 1000L));
        firstSeqBeats.replaceAll((c, left) -> left - 1);
        firstSeqBeats.values().removeIf(left -> left <= 0);
        CpuSet.Builder ownedSet = CpuSet.builder();
        owned.forEach(ownedSet::add);
        CpuSet.Builder releasedSet = CpuSet.builder();
        released.forEach(releasedSet::add);
        ReplicaDirective d = coordinator.heartbeat(id, Heartbeats.local(id, "i-" + id, generation, ReplicaHeartbeat.ACTIVE,
                ownedSet.build().toCpulist(), capacity, rates, lost, 0, 0, 0, 0, firstSeqs, releasedSet.build().toCpulist()));
        if (d.generation() < generation) return;
        generation = d.generation();
        target = Heartbeats.cpus(d.target(Heartbeats.NODE).targetCpus());
        released.retainAll(d.target(Heartbeats.NODE).releaseFences().keySet());
        target.forEach(c -> {
            if (owned.add(c)) firstSeqBeats.put(c, 4);
        });
        d.target(Heartbeats.NODE).releaseFences().keySet().forEach(c -> {
            if (!target.contains(c) && owned.remove(c)) released.add(c);
        });
    }
}
