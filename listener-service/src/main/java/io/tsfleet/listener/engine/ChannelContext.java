package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.HoldbackBudget;
import io.tsfleet.listener.domain.ReplicaTotals;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What every {@link CpuChannel} of a replica shares: how connections are made, where kept records go, and the
 * replica-wide counters.
 *
 * @param settings          how the CPU's broker connection is made
 * @param pipeline          the hand-off to the sinks
 * @param totals            the replica's record counters
 * @param listener          the engine, told of registrations and of the channel's end
 * @param nanoTime          the monotonic clock
 * @param clock             the wall clock: when records were read (their exit time)
 * @param receiveBusyNanos  time the readers spent on frames (for the capacity estimate)
 * @param unregisteredNanos time owned CPUs spent without a registration after a lost connection
 * @param connectFailures   failed connection attempts
 * @param holdbackBudget    the records all leaving CPUs may hold back together
 */
record ChannelContext(ChannelSettings settings, SinkFanOut pipeline, ReplicaTotals totals, ChannelListener listener,
                      LongSupplier nanoTime, Clock clock, LongAdder receiveBusyNanos, LongAdder unregisteredNanos, LongAdder connectFailures,
                      HoldbackBudget holdbackBudget) {

    /** The wall clock now, in nanoseconds since the epoch. */
    long epochNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
