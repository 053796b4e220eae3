package io.tsfleet.listener.testing;

import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import io.tsfleet.protocol.testing.FakeBroker;

import java.util.List;
import java.util.Map;

/** The wire format for tests of a replica that holds one node's CPUs (the node of a {@link FakeBroker}). */
public final class Wire {
    /** The node the one-node tests plan for: the fake broker's, dialled through the replica's configured broker. */
    public static final String NODE = FakeBroker.DEFAULT_NODE;

    private Wire() {
    }

    /** A directive with one node, {@link #NODE}, whose broker is the replica's configured one. */
    public static ReplicaDirective directive(long generation, String targetCpus, Map<Integer, Long> fences, long heartbeatMillis, long leaseMillis) {
        return new ReplicaDirective(generation, List.of(new NodeTarget(NODE, null, null, targetCpus, fences)), heartbeatMillis, leaseMillis);
    }

    /** The heartbeat's report of {@link #NODE}; an empty one when the heartbeat leaves the node out (holds nothing there). */
    public static NodeReport report(ReplicaHeartbeat hb) {
        return report(hb, NODE);
    }

    /** The heartbeat's report of {@code node}; an empty one when the heartbeat leaves the node out. */
    public static NodeReport report(ReplicaHeartbeat hb, String node) {
        return hb.nodes().stream().filter(r -> r.node().equals(node)).findFirst()
                .orElse(new NodeReport(node, null, "", List.of(), List.of(), Map.of(), ""));
    }
}
