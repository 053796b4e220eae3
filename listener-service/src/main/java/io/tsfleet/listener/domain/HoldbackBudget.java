package io.tsfleet.listener.domain;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The replica-wide bound on records held back by leaving CPUs: a drain that moves a thousand CPUs at once must not
 * hold a thousand full holdbacks. A CPU that cannot take from the budget stops holding and writes on (any records
 * then written past its fence are counted as duplicates, never hidden).
 */
public final class HoldbackBudget {
    private final long capacity;
    private final AtomicLong available;

    public HoldbackBudget(long capacity) {
        if (capacity < 0) throw new IllegalArgumentException("capacity < 0");
        this.capacity = capacity;
        this.available = new AtomicLong(capacity);
    }

    public static HoldbackBudget unlimited() {
        return new HoldbackBudget(Long.MAX_VALUE);
    }

    /** Takes one record's worth, if there is any left. */
    public boolean tryTake() {
        while (true) {
            long a = available.get();
            if (a <= 0) return false;
            if (available.compareAndSet(a, a - 1)) return true;
        }
    }

    public void give(long n) {
        if (n > 0) available.addAndGet(n);
    }

    /** Records currently held across the replica. */
    public long inUse() {
        return capacity - available.get();
    }
}
