package io.tsfleet.listener.engine;

import io.tsfleet.protocol.client.BrokerAddress;

/**
 * Where the connections to one node's broker go.
 *
 * @param broker     the broker's address
 * @param verifyNode the address came from the coordinator: the broker must report the node's name in the handshake
 *                   ({@code TSFLEET_SOCK ATTR_NODE}), else the connection is refused. A broker the replica is
 *                   configured with ({@code tsfleet.listener.broker}) is trusted to be the node's.
 */
record NodeEndpoint(BrokerAddress broker, boolean verifyNode) {
}
