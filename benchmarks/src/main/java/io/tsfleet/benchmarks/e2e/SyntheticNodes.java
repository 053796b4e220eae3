package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.fleet.NodeAnnouncement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The nodes of a simulated fleet and their exits: every CPU has a steady exit rate between 0.75 and 1.25 times
 * {@code baseRate} (fixed per CPU, from a hash of node and CPU), so its sequence number at any moment is known without
 * a broker. A replica "measures" that rate with a few percent of noise, as a real one does from sequence deltas.
 */
final class SyntheticNodes {
    private final Map<String, Node> byName = new LinkedHashMap<>();

    /**
     * One node: its name, boot id (null for the static fleet's node, whose boot the coordinator does not know), CPU
     * count, zone and broker address, and the moment its sequences started.
     */
    record Node(String name, String bootId, int cpus, String zone, String broker, double baseRate, long bootMillis) {
        /** The CPU's exit rate (exits/s). */
        double rate(int cpu) {
            long h = (name.hashCode() * 0x9E3779B97F4A7C15L) ^ (cpu * 0xC2B2AE3D27D4EB4FL);
            h ^= h >>> 29;
            double frac = (h & 0xFFFF) / 65536.0;
            return baseRate * (0.75 + 0.5 * frac);
        }

        /** The rate a replica reports: the CPU's rate with up to ±5 % of measurement noise. */
        double measuredRate(int cpu, long nowMillis) {
            return rate(cpu) * (0.95 + 0.1 * ThreadLocalRandom.current().nextDouble());
        }

        /** The CPU's sequence number at {@code nowMillis} (u32, starting at 1 at boot). */
        long sequence(int cpu, long nowMillis) {
            return (1 + (long) (rate(cpu) * Math.max(0, nowMillis - bootMillis) / 1000.0)) & 0xFFFF_FFFFL;
        }

        /** The announcement its node agent sends. */
        NodeAnnouncement announcement() {
            return new NodeAnnouncement(name, bootId, cpus == 1 ? "0" : "0-" + (cpus - 1), broker, NodeAnnouncement.ON, zone);
        }
    }

    /** {@code count} nodes of {@code cpus} CPUs each, named {@code node-0000}..., spread over three zones. */
    static SyntheticNodes cluster(int count, int cpus, double baseRate, long nowMillis) {
        SyntheticNodes s = new SyntheticNodes();
        for (int i = 0; i < count; i++) {
            String name = String.format(Locale.ROOT, "node-%04d", i);
            String broker = String.format(Locale.ROOT, "10.%d.%d.%d:7441", i / 65536 % 256, i / 256 % 256, i % 256);
            s.add(new Node(name, UUID.randomUUID().toString(), cpus, "zone-" + (char) ('a' + i % 3), broker, baseRate, nowMillis));
        }
        return s;
    }

    /** The one node of a static fleet ({@code tsfleet.coordinator.static-node}, default {@code local}). */
    static SyntheticNodes staticNode(String name, int cpus, double baseRate, long nowMillis) {
        SyntheticNodes s = new SyntheticNodes();
        s.add(new Node(name, null, cpus, null, null, baseRate, nowMillis));
        return s;
    }

    private void add(Node n) {
        byName.put(n.name(), n);
    }

    Node node(String name) {
        Node n = byName.get(name);
        if (n == null) throw new IllegalStateException("the coordinator named a node that was never announced: " + name);
        return n;
    }

    List<Node> all() {
        return new ArrayList<>(byName.values());
    }

    int slots() {
        int s = 0;
        for (Node n : byName.values()) s += n.cpus();
        return s;
    }
}
