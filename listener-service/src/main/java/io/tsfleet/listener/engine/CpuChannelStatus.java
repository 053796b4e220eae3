package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.CpuLedgerSnapshot;

/**
 * One CPU's state for the REST API: its accounting plus the connection.
 *
 * @param ledger        the accounting
 * @param status        what the channel is doing
 * @param registered    registered on a live broker connection
 * @param portId        the connection's netlink port id (0 before the handshake)
 * @param receiveBuffer the effective receive buffer reported by the broker
 * @param lastError     the last connection error, null when healthy
 */
public record CpuChannelStatus(CpuLedgerSnapshot ledger, CpuChannel.Status status, boolean registered, long portId,
                               int receiveBuffer, String lastError) {
}
