package io.tsfleet.protocol.fleet;

import java.util.List;

/**
 * What a replica tells the coordinator, every heartbeat interval ({@code POST /internal/v1/replicas/{id}/heartbeat}).
 * The first heartbeat of a replica is its join. What it holds is reported per node, one {@link NodeReport} each.
 *
 * @param replicaId          the replica's id ({@code tsfleet.listener.id})
 * @param incarnation        a random id chosen at process start: a restarted replica is a new member
 * @param generation         the highest plan generation the replica has applied (0 before its first directive)
 * @param state              {@code ACTIVE}, or {@code DRAINING} after SIGTERM (asks to have its CPUs moved away)
 * @param node               the node the replica runs on ({@code tsfleet.listener.node}); null when unknown
 * @param zone               the zone the replica runs in ({@code tsfleet.listener.zone}); null when unknown
 * @param capacityPerSecond  the record rate the replica sustains without loss (measured; 0 when not yet known)
 * @param recordsTotal       records received since start
 * @param lostTotal          records lost since start
 * @param enobufsTotal       ENOBUFS episodes since start
 * @param duplicatesTotal    records received twice (handover races) since start
 * @param nodes              what the replica holds on each node (nodes it holds nothing of are left out)
 */
public record ReplicaHeartbeat(String replicaId, String incarnation, long generation, String state, String node, String zone,
                               double capacityPerSecond, long recordsTotal, long lostTotal, long enobufsTotal,
                               long duplicatesTotal, List<NodeReport> nodes) {

    public static final String ACTIVE = "ACTIVE";
    public static final String DRAINING = "DRAINING";
}
