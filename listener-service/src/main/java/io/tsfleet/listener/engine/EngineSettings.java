package io.tsfleet.listener.engine;

import io.tsfleet.protocol.client.BrokerAddress;

import java.time.Duration;

/**
 * Settings of the replica engine.
 *
 * @param channel            how CPU connections are made
 * @param broker             the configured broker ({@code tsfleet.listener.broker}): used for a node the coordinator
 *                           names no broker for, and for the static mask; null when not configured
 * @param node               the node the replica runs on ({@code tsfleet.listener.node}), reported in every heartbeat;
 *                           the static mask's CPUs are this node's
 * @param zone               the zone the replica runs in ({@code tsfleet.listener.zone}), null when not known
 * @param handoverTimeout    how long a fenced CPU waits for the broker's answer to its deregistration (sent as soon as
 *                           the fence is known) before it is released anyway
 * @param firstSeqReports    how many delivered heartbeats carry a newly acquired CPU's first sequence number
 * @param capacitySmoothing  EWMA weight of a new capacity sample (0..1]
 * @param parallelism        processors available to the readers (for the capacity estimate)
 * @param holdbackTotalRecords records held back by all leaving CPUs together (memory bound of a mass move)
 */
public record EngineSettings(ChannelSettings channel, BrokerAddress broker, String node, String zone, Duration handoverTimeout, int firstSeqReports, double capacitySmoothing,
                             int parallelism, long holdbackTotalRecords) {
}
