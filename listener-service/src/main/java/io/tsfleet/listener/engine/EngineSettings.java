package io.tsfleet.listener.engine;

import java.time.Duration;

/**
 * Settings of the replica engine.
 *
 * @param channel            how CPU connections are made
 * @param handoverTimeout    how long a fenced CPU waits for the broker's answer to its deregistration (sent as soon as
 *                           the fence is known) before it is released anyway
 * @param firstSeqReports    how many delivered heartbeats carry a newly acquired CPU's first sequence number
 * @param capacitySmoothing  EWMA weight of a new capacity sample (0..1]
 * @param parallelism        processors available to the readers (for the capacity estimate)
 * @param holdbackTotalRecords records held back by all leaving CPUs together (memory bound of a mass move)
 */
public record EngineSettings(ChannelSettings channel, Duration handoverTimeout, int firstSeqReports, double capacitySmoothing,
                             int parallelism, long holdbackTotalRecords) {
}
