package io.tsfleet.protocol.fleet;

import java.util.List;

/**
 * The coordinator's answer to a heartbeat: the replica's target under plan {@link #generation}, one
 * {@link NodeTarget} per node the replica should hold slots of. A slot is a (node, CPU) pair.
 *
 * <p>Make before break with a sequence fence, per slot: to move CPU c of node n from A to B, the coordinator first
 * adds c to B's {@link NodeTarget#targetCpus()} of n. B registers c on n's broker and reports its first sequence
 * number on c in {@link NodeReport#firstSeqs()}. The coordinator then gives A {@code releaseFences[c] = fence} in
 * its target for n: A keeps records of c with seq &lt; fence (serial-number order, u32), discards those from the
 * fence on (B keeps them), and deregisters c as soon as it knows the fence: every record below the fence was
 * sequenced before B registered, so it is already queued on A's connection or was dropped by the broker. A reads
 * that backlog until the broker's answer to the deregistration, which comes after every record the connection will
 * get; then the records below the fence that never came are counted as lost, and A reports c in
 * {@link NodeReport#released()}. A CPU that is no longer in {@code targetCpus} but has no fence yet stays registered.
 * A node the replica holds slots of that is missing from {@link #nodes} is gone (its lease expired or it left): the
 * replica closes its connections to that node at once. A directive whose generation is lower than the replica's is
 * stale and ignored.
 *
 * @param generation      the plan generation
 * @param nodes           the replica's target on each node it should hold slots of (nodes without slots are left out)
 * @param heartbeatMillis how often to heartbeat
 * @param leaseMillis     how long the coordinator keeps a silent replica before reassigning its CPUs
 */
public record ReplicaDirective(long generation, List<NodeTarget> nodes, long heartbeatMillis, long leaseMillis) {

    /** The target on {@code node}: nothing to own and nothing to release when the directive does not name the node. */
    public NodeTarget target(String node) {
        if (nodes != null) {
            for (NodeTarget t : nodes) if (t != null && node.equals(t.node())) return t;
        }
        return new NodeTarget(node, null, null, "", java.util.Map.of());
    }
}
