package io.tsfleet.listener.engine;

import java.time.Duration;

/**
 * Settings of the replica engine.
 *
 * @param channel            how CPU connections are made
 * @param handoverTimeout    how long a fenced CPU waits to see {@code fence - 1} before it is released anyway
 * @param firstSeqReports    how many delivered heartbeats carry a newly acquired CPU's first sequence number
 * @param capacitySmoothing  EWMA weight of a new capacity sample (0..1]
 * @param parallelism        processors available to the readers (for the capacity estimate)
 * @param holdbackTotalRecords records held back by all leaving CPUs together (memory bound of a mass move)
 */
public record EngineSettings(ChannelSettings channel, Duration handoverTimeout, int firstSeqReports, double capacitySmoothing,
                             int parallelism, long holdbackTotalRecords) {
}
