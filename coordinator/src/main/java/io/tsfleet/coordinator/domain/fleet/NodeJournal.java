package io.tsfleet.coordinator.domain.fleet;

import java.time.Duration;

/** Where the {@link NodeRegistry} reports what happened to nodes: the coordinator turns it into audit entries and counters. */
public interface NodeJournal {

    /** A node the registry did not hold announced itself. */
    void nodeJoined(AnnouncedNode node);

    /** A known node announced another boot id: its kernel restarted and numbers its exits anew. */
    void nodeRebooted(AnnouncedNode node, String previousBootId);

    /** A node did not announce itself for {@code lease}: it was dropped. */
    void nodeExpired(String name, String bootId, Duration lease);

    /** A node's agent withdrew it (shutdown). */
    void nodeLeft(String name, String bootId);

    /** An announcement of one more node beyond the node limit was refused. */
    void nodeRefusedAtLimit(String name, int limit);
}
