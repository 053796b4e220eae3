package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.SlotSpace;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/** A bounded, in-memory audit log (newest last); the oldest entries are dropped and counted. */
public final class AuditLog {
    private final int capacity;
    private final Deque<AuditEvent> events = new ArrayDeque<>();
    private long sequence;
    private long dropped;

    public AuditLog(int capacity) {
        this.capacity = capacity;
    }

    /** Records {@code event}, which happened at {@code time} under {@code generation}, in the words of {@link AuditWording}. */
    void record(Instant time, long generation, FleetEvent event, SlotSpace space) {
        SlotSpace.Slot slot = event.cpu() >= 0 ? space.slot(event.cpu()) : null;
        String node = event.node() != null ? event.node() : slot == null ? null : slot.node();
        events.addLast(new AuditEvent(++sequence, time, generation, event.type().label(), event.replica(), node,
                slot == null ? event.cpu() : slot.cpu(), AuditWording.message(event, space)));
        while (events.size() > capacity) {
            events.removeFirst();
            dropped++;
        }
    }

    /** The newest {@code limit} entries, newest first. */
    public List<AuditEvent> recent(int limit) {
        List<AuditEvent> out = new ArrayList<>(events);
        Collections.reverse(out);
        return out.subList(0, Math.min(limit, out.size()));
    }

    public long dropped() {
        return dropped;
    }
}
