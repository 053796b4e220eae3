package io.tsfleet.listener.web;

import java.util.List;

/**
 * The replica and its slots.
 *
 * @param replica           replica id
 * @param state             ACTIVE, DRAINING, STOPPED
 * @param generation        plan generation applied
 * @param node              the node the replica runs on ({@code tsfleet.listener.node})
 * @param target            target mask (cpulist) when the replica holds one node; null before the first directive and
 *                          when it holds several (see {@code nodes})
 * @param owned             CPUs registered on a live connection (cpulist), under the same rule as {@code target}
 * @param capacityPerSecond estimated sustainable record rate
 * @param loadRatio         utilisation of the busier stage
 * @param sink              what the sink writes to
 * @param nodes             per node: target, owned, broker, boot id, and why it is refused (if it is)
 * @param cpus              per-CPU detail, by node, then CPU
 */
public record CpusResponse(String replica, String state, long generation, String node, String target, String owned, double capacityPerSecond,
                           double loadRatio, String sink, List<NodeView> nodes, List<ReplicaCpuView> cpus) {

    /**
     * One node the replica holds state for.
     *
     * @param node    the node's name
     * @param broker  the broker the replica dials for it (null: none known)
     * @param bootId  the boot id its broker reports (null before a connection)
     * @param target  the node's target (cpulist)
     * @param owned   the node's CPUs registered on a live connection (cpulist)
     * @param refused why the replica does not connect to the node, null when it does
     */
    public record NodeView(String node, String broker, String bootId, String target, String owned, String refused) {
    }
}
