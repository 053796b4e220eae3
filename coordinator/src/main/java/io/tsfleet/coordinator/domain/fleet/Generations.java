package io.tsfleet.coordinator.domain.fleet;

/**
 * The plan generation. Every change of any directive's content (a target or a fence) happens under a new
 * generation, so a replica can refuse any directive older than one it applied, and an acknowledgement can be
 * judged by the generation the replica reports. Within one coordinator operation all changes share one new
 * generation: {@link #stamp()} returns it (bumping once), {@link #commit()} ends the operation.
 */
public final class Generations {
    private long current;
    private boolean bumped;

    public Generations(long start) {
        this.current = start;
    }

    public long current() {
        return current;
    }

    /** The generation under which a change made now becomes visible. */
    public long stamp() {
        if (!bumped) {
            current++;
            bumped = true;
        }
        return current;
    }

    /** Raises the generation above one seen elsewhere (a replica that applied more than this coordinator knows). */
    public void atLeast(long seen) {
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
