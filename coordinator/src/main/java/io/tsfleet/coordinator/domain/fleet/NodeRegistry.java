package io.tsfleet.coordinator.domain.fleet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The nodes whose agents hold a lease: a node joins with its first announcement, renews its lease with every further
 * one, and leaves when its agent withdraws it or its lease expires (on the tick). An announcement of a known node with
 * another boot id is a reboot: the node stays, with its new boot (its per-CPU sequences start anew). Nothing of it is
 * persisted: a coordinator that takes over presumes the nodes of the persisted slot layout alive for one lease
 * ({@link #presume}), and every agent announces again within one announce interval.
 *
 * <p>Plain Java with an injected clock; not thread-safe (the coordinator calls it under its lock).
 */
public final class NodeRegistry {

    /** What an announcement did. */
    public enum Announced {
        /** The node was not registered: it is now. */
        JOINED,
        /** The node was registered with the same boot: its lease is renewed. */
        RENEWED,
        /** The node was registered with another boot: it rebooted; its lease is renewed. */
        REBOOTED,
        /** The node was not registered and the registry is full: nothing changed. */
        REFUSED_AT_LIMIT
    }

    private final Clock clock;
    private final NodeSettings settings;
    private final Map<String, LiveNode> nodes = new TreeMap<>();

    public NodeRegistry(Clock clock, NodeSettings settings) {
        this.clock = clock;
        this.settings = settings;
    }

    /** Registers or renews {@code node} now. */
    public Announced announce(AnnouncedNode node, NodeJournal journal) {
        Instant now = clock.instant();
        Instant expires = now.plus(settings.lease());
        LiveNode known = nodes.get(node.name());
        if (known == null) {
            if (nodes.size() >= settings.maxNodes()) {
                journal.nodeRefusedAtLimit(node.name(), settings.maxNodes());
                return Announced.REFUSED_AT_LIMIT;
            }
            nodes.put(node.name(), new LiveNode(node, now, now, expires));
            journal.nodeJoined(node);
            return Announced.JOINED;
        }
        if (!known.announced().bootId().equals(node.bootId())) {
            nodes.put(node.name(), new LiveNode(node, now, now, expires));
            journal.nodeRebooted(node, known.announced().bootId());
            return Announced.REBOOTED;
        }
        nodes.put(node.name(), new LiveNode(node, known.joinedAt(), now, expires));
        return Announced.RENEWED;
    }

    /**
     * A node of a persisted slot layout, presumed alive for one lease from now unless it is registered already: its
     * agent announces within that lease, or the node expires and its slots go.
     */
    public void presume(AnnouncedNode node) {
        Instant now = clock.instant();
        nodes.putIfAbsent(node.name(), new LiveNode(node, now, now, now.plus(settings.lease())));
    }

    /** Drops {@code name} at once (its agent is shutting down); false when it was not registered. */
    public boolean withdraw(String name, NodeJournal journal) {
        LiveNode gone = nodes.remove(name);
        if (gone == null) return false;
        journal.nodeLeft(name, gone.announced().bootId());
        return true;
    }

    /**
     * The coordinator itself did not run for {@code stall} (a starved machine): that time does not count against any
     * node's lease, as it does not against a replica's. Each lease is extended by it, to at most one lease from now.
     */
    public void creditStall(Duration stall) {
        if (stall.isZero()) return;
        Instant latest = clock.instant().plus(settings.lease());
        nodes.replaceAll((name, n) -> {
            Instant extended = n.leaseExpiresAt().plus(stall);
            return new LiveNode(n.announced(), n.joinedAt(), n.lastSeen(), extended.isAfter(latest) ? latest : extended);
        });
    }

    /** Drops every node whose lease has expired by now; answers their names. */
    public List<String> expire(NodeJournal journal) {
        Instant now = clock.instant();
        List<String> expired = new ArrayList<>();
        for (Iterator<LiveNode> it = nodes.values().iterator(); it.hasNext(); ) {
            LiveNode n = it.next();
            if (!now.isBefore(n.leaseExpiresAt())) {
                it.remove();
                expired.add(n.name());
                journal.nodeExpired(n.name(), n.announced().bootId(), settings.lease());
            }
        }
        return expired;
    }

    /** The registered nodes, by name. */
    public List<LiveNode> nodes() {
        return new ArrayList<>(nodes.values());
    }

    public int size() {
        return nodes.size();
    }

    public NodeSettings settings() {
        return settings;
    }
}
