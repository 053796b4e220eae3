package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.CpuLedgerSnapshot;
import io.tsfleet.listener.domain.CpuState;

/**
 * One CPU's state for the REST API: its accounting (with its {@link CpuState}) plus the connection.
 *
 * @param node          the node of the CPU (the slot is (node, cpu))
 * @param ledger        the accounting and the state
 * @param portId        the connection's netlink port id (0 before the handshake)
 * @param receiveBuffer the effective receive buffer reported by the broker
 * @param lastError     the last connection error, null when healthy
 */
public record CpuChannelStatus(String node, CpuLedgerSnapshot ledger, long portId, int receiveBuffer, String lastError) {

    /** What the channel is doing. */
    public CpuState.Status status() {
        return ledger.state().status();
    }

    /** Registered on a live broker connection. */
    public boolean registered() {
        return ledger.state().isRegistered();
    }
}
