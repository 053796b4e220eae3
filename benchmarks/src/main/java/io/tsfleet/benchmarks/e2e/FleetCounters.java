package io.tsfleet.benchmarks.e2e;

/**
 * Cumulative counters of the fleet at one moment: the emulator's exits, the events its broker dropped (full or
 * congested receive queues, refused connections), the exits its generator could not emit in time (lagged), and the
 * replicas' records kept and records lost (sequence gaps), summed over all replicas; and the broker's sent bytes and
 * socket writes, whose ratio is its batching.
 *
 * @param nanos   {@link System#nanoTime()} of the sample (the middle of the scrape)
 */
public record FleetCounters(long nanos, double exits, double brokerDropped, double generatorLagged, double records, double lost,
                            double sentBytes, double sentWrites) {

    public FleetCounters(long nanos, double exits, double brokerDropped, double generatorLagged, double records, double lost) {
        this(nanos, exits, brokerDropped, generatorLagged, records, lost, 0, 0);
    }

    /** What happened between {@code earlier} and this sample. */
    public FleetCounters minus(FleetCounters earlier) {
        return new FleetCounters(nanos - earlier.nanos, exits - earlier.exits, brokerDropped - earlier.brokerDropped,
                generatorLagged - earlier.generatorLagged, records - earlier.records, lost - earlier.lost,
                sentBytes - earlier.sentBytes, sentWrites - earlier.sentWrites);
    }

    public double seconds() {
        return nanos / 1e9;
    }
}
