package io.tsfleet.coordinator.domain.fleet;

/**
 * The plan generation. Every change of any directive's content (a target or a fence) happens under a new
 * generation, so a replica can refuse any directive older than one it applied, and an acknowledgement can be
 * judged by the generation the replica reports. Within one coordinator operation all changes share one new
 * generation: {@link #stamp()} returns it (bumping once), {@link #commit()} ends the operation.
 */
public final class Generations {
    /**
     * The largest generation a coordinator ever hands out or adopts: 2^53 - 1, the largest integer every JSON
     * reader keeps exactly, and so far from {@link Long#MAX_VALUE} that counting on from it never wraps.
     */
    public static final long MAX = io.tsfleet.coordinator.domain.state.AssignmentSnapshot.MAX_GENERATION;

    /**
     * The largest generation a heartbeat may report (and a coordinator that lost its state may adopt): half of
     * {@link #MAX}, so that even after adopting it there are 2^52 generations left to hand out.
     */
    public static final long MAX_REPORTED = MAX / 2;

    private long current;
    private boolean bumped;

    public Generations(long start) {
        if (start < 0 || start > MAX) throw new IllegalArgumentException("generation " + start + " is outside 0.." + MAX);
        this.current = start;
    }

    public long current() {
        return current;
    }

    /** The generation under which a change made now becomes visible. */
    public long stamp() {
        if (!bumped) {
            if (current >= MAX) throw new IllegalStateException("generation " + current + " is at its limit " + MAX);
            current = Math.addExact(current, 1);
            bumped = true;
        }
        return current;
    }

    /** Raises the generation above one seen elsewhere (a replica that applied more than this coordinator knows). */
    public void atLeast(long seen) {
        if (seen < 0 || seen > MAX_REPORTED) throw new IllegalArgumentException("generation " + seen + " is outside 0.." + MAX_REPORTED);
        if (seen >= current) {
            current = seen;
            bumped = false;
            stamp();
        }
    }

    /** Ends an operation; returns whether it changed anything. */
    public boolean commit() {
        boolean changed = bumped;
        bumped = false;
        return changed;
    }
}
