package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.Map;

/**
 * A validated heartbeat in slot indices (see {@link SlotSpace}): cpulists parsed, per-slot arrays checked against the
 * owned set. "CPU" below means slot.
 *
 * @param owned      CPUs the replica is registered on (restricted to possible CPUs)
 * @param ownedCpus  the owned CPUs in ascending order, aligned with {@code rates} and {@code lost}
 * @param rates      true exit rate per owned CPU
 * @param lost       records lost per owned CPU since the previous heartbeat
 * @param firstSeqs  first sequence number per acquired CPU
 * @param released   CPUs released since the previous heartbeat
 * @param node       the node the replica runs on (null when it did not say)
 * @param zone       the zone the replica runs in (null when it did not say)
 */
public record HeartbeatReport(String replicaId, String incarnation, long generation, boolean draining, CpuSet owned,
                              int[] ownedCpus, double[] rates, long[] lost, double capacityPerSecond,
                              long recordsTotal, long lostTotal, long enobufsTotal, long duplicatesTotal,
                              Map<Integer, Long> firstSeqs, CpuSet released, String node, String zone) {

    public long lostInThisInterval() {
        long sum = 0;
        for (long l : lost) sum += Math.max(0, l);
        return sum;
    }

    /** The rate the replica reports for {@code cpu}, or -1 when it does not report that CPU. */
    public double rateOf(int cpu) {
        int i = java.util.Arrays.binarySearch(ownedCpus, cpu);
        return i >= 0 ? rates[i] : -1;
    }
}
