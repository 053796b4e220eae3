package io.tsfleet.emulator.node;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the {@link NodeAgent} counts, in plain Java ({@code node.config.NodeAgentMeters} exports it): announcements the
 * coordinator accepted, attempts that failed, and until when the last accepted one holds the node's lease.
 */
public final class NodeAgentStats {
    private final Clock clock;
    private final LongAdder announcements = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile Instant leaseUntil = Instant.MIN;

    public NodeAgentStats(Clock clock) {
        this.clock = clock;
    }

    void announced(Instant leaseUntil) {
        announcements.increment();
        this.leaseUntil = leaseUntil;
    }

    void failed() {
        failures.increment();
    }

    void withdrawn() {
        leaseUntil = Instant.MIN;
    }

    public long announcements() {
        return announcements.sum();
    }

    public long failures() {
        return failures.sum();
    }

    /** Whether the last accepted announcement's lease still holds now: the coordinator knows this node. */
    public boolean registered() {
        return clock.instant().isBefore(leaseUntil);
    }
}
