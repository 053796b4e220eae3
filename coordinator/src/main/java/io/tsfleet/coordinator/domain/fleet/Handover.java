package io.tsfleet.coordinator.domain.fleet;

import java.time.Instant;

/** A CPU on its way from one live replica to another. Mutable; owned by the {@link CpuTable}. */
public final class Handover {
    private final int cpu;
    private final String from;
    private final String to;
    private final Instant startedAt;
    private HandoverPhase phase = HandoverPhase.PREPARE;
    private long phaseGeneration;
    private Instant phaseSince;
    private Long fence;
    private long makeGeneration;

    Handover(int cpu, String from, String to, long generation, Instant now) {
        this.cpu = cpu;
        this.from = from;
        this.to = to;
        this.startedAt = now;
        this.phaseGeneration = generation;
        this.phaseSince = now;
    }

    static Handover restore(int cpu, String from, String to, HandoverPhase phase, long phaseGeneration, Long fence,
                            long makeGeneration, Instant now) {
        Handover h = new Handover(cpu, from, to, phaseGeneration, now);
        h.phase = phase;
        h.fence = fence;
        h.makeGeneration = makeGeneration;
        return h;
    }

    public int cpu() {
        return cpu;
    }

    public String from() {
        return from;
    }

    public String to() {
        return to;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public HandoverPhase phase() {
        return phase;
    }

    /** The generation of the directive that asked for the current phase; acknowledgements below it are stale. */
    public long phaseGeneration() {
        return phaseGeneration;
    }

    public Instant phaseSince() {
        return phaseSince;
    }

    public Long fence() {
        return fence;
    }

    /** The generation that asked the new owner to register (0 before MAKE). */
    public long makeGeneration() {
        return makeGeneration;
    }

    /** Whether the new owner's directive includes the CPU in this phase. */
    public boolean newOwnerTargeted() {
        return phase == HandoverPhase.MAKE || phase == HandoverPhase.BREAK;
    }

    void advance(HandoverPhase next, long generation, Instant now) {
        if (next == HandoverPhase.MAKE) makeGeneration = generation;
        this.phase = next;
        this.phaseGeneration = generation;
        this.phaseSince = now;
    }

    void fence(long value) {
        this.fence = value;
    }
}
