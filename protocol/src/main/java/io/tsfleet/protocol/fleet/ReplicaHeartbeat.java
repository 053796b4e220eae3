package io.tsfleet.protocol.fleet;

import java.util.List;
import java.util.Map;

/**
 * What a replica tells the coordinator, every heartbeat interval ({@code POST /internal/v1/replicas/{id}/heartbeat}).
 * The first heartbeat of a replica is its join. All CPU sets are cpulists, and per-CPU numbers are arrays in
 * the ascending CPU order of {@link #ownedCpus}, so 8192 CPUs cost a few tens of kilobytes, not a map entry each.
 *
 * @param replicaId          the replica's id ({@code tsfleet.listener.id})
 * @param incarnation        a random id chosen at process start: a restarted replica is a new member
 * @param generation         the highest plan generation the replica has applied (0 before its first directive)
 * @param state              {@code ACTIVE}, or {@code DRAINING} after SIGTERM (asks to have its CPUs moved away)
 * @param ownedCpus          CPUs the replica is registered on and receiving (including CPUs it is still releasing)
 * @param capacityPerSecond  the record rate the replica sustains without loss (measured; 0 when not yet known)
 * @param cpuRates           true exit rate per owned CPU in exits/s, from per-CPU sequence deltas (lost records included)
 * @param cpuLost            records lost per owned CPU since the previous heartbeat (sequence gaps)
 * @param recordsTotal       records received since start
 * @param lostTotal          records lost since start
 * @param enobufsTotal       ENOBUFS episodes since start
 * @param duplicatesTotal    records received twice (handover races) since start
 * @param firstSeqs          for CPUs being acquired: the first sequence number received on that CPU (the fence)
 * @param released           CPUs the replica has released after their fence since the previous heartbeat
 */
public record ReplicaHeartbeat(String replicaId, String incarnation, long generation, String state, String ownedCpus,
                               double capacityPerSecond, List<Double> cpuRates, List<Long> cpuLost,
                               long recordsTotal, long lostTotal, long enobufsTotal, long duplicatesTotal,
                               Map<Integer, Long> firstSeqs, String released) {

    public static final String ACTIVE = "ACTIVE";
    public static final String DRAINING = "DRAINING";
}
