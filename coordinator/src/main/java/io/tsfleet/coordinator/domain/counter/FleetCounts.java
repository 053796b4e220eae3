package io.tsfleet.coordinator.domain.counter;

import java.util.EnumMap;
import java.util.Map;

/**
 * An immutable set of {@link FleetCounter} values (missing ones are 0): what one operation counted, what one
 * coordinator counted since it started, or (in the service) the sum over the leadership terms of the process.
 */
public final class FleetCounts {
    public static final FleetCounts ZERO = new FleetCounts(new EnumMap<>(FleetCounter.class));

    private final EnumMap<FleetCounter, Long> values;

    private FleetCounts(EnumMap<FleetCounter, Long> values) {
        this.values = values;
    }

    /** The given counts (as a copy). */
    public static FleetCounts of(Map<FleetCounter, Long> values) {
        return values.isEmpty() ? ZERO : new FleetCounts(new EnumMap<>(values));
    }

    public long get(FleetCounter counter) {
        return values.getOrDefault(counter, 0L);
    }

    public FleetCounts plus(FleetCounts other) {
        if (other.values.isEmpty()) return this;
        EnumMap<FleetCounter, Long> sum = new EnumMap<>(FleetCounter.class);
        sum.putAll(values);
        other.values.forEach((k, v) -> sum.merge(k, v, Long::sum));
        return new FleetCounts(sum);
    }

    public FleetCounts plus(FleetCounter counter, long n) {
        if (n == 0) return this;
        EnumMap<FleetCounter, Long> sum = new EnumMap<>(FleetCounter.class);
        sum.putAll(values);
        sum.merge(counter, n, Long::sum);
        return new FleetCounts(sum);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FleetCounts f)) return false;
        for (FleetCounter c : FleetCounter.values()) if (get(c) != f.get(c)) return false;
        return true;
    }

    @Override
    public int hashCode() {
        long h = 0;
        for (FleetCounter c : FleetCounter.values()) h = 31 * h + get(c);
        return Long.hashCode(h);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
