package io.tsfleet.listener.web;

import io.tsfleet.listener.domain.CpuLedgerSnapshot;
import io.tsfleet.listener.engine.CpuChannelStatus;

/**
 * One CPU of this replica, as {@code GET /api/v1/cpus} shows it. Sequence numbers are u32, null when there is none.
 *
 * @param node          the node of the CPU (the slot is (node, cpu))
 * @param cpu           the CPU
 * @param phase         OWNED, LEAVING (held back, waiting for the fence), RELEASING (fence known), RELEASED
 * @param status        the connection: CONNECTING, REGISTERING, REGISTERED, RETRYING, RELEASING, FINISHED
 * @param registered    registered on a live broker connection
 * @param portId        the connection's netlink port id
 * @param receiveBuffer effective receive buffer in bytes, as the broker reports it
 * @param records       records kept
 * @param lost          records lost (sequence gaps)
 * @param unwritten     records kept but never written: lost at the sink (a failed write, or given up at shutdown)
 * @param enobufs       ENOBUFS episodes
 * @param duplicates    records received twice
 * @param handedOver    records past a fence, left to the new owner
 * @param malformed     undecodable events
 * @param held          records held back during a handover
 * @param ratePerSecond true exit rate of the CPU (sequence steps per second, lost included)
 * @param lastSeq       last sequence number seen
 * @param firstSeq      first sequence number since the CPU was acquired
 * @param fence         the handover fence, when releasing
 * @param runs          registrations (1 + reconnects)
 * @param lastError     the last connection error
 */
public record ReplicaCpuView(String node, int cpu, String phase, String status, boolean registered, long portId, int receiveBuffer, long records, long lost,
                      long unwritten, long enobufs, long duplicates, long handedOver, long malformed, int held, double ratePerSecond, Long lastSeq,
                      Long firstSeq, Long fence, long runs, String lastError) {

    static ReplicaCpuView of(CpuChannelStatus s) {
        CpuLedgerSnapshot l = s.ledger();
        return new ReplicaCpuView(s.node(), l.cpu(), l.phase().name(), s.status().name(), s.registered(), s.portId(), s.receiveBuffer(), l.records(), l.lost(),
                l.unwritten(), l.enobufs(), l.duplicates(), l.handedOver(), l.malformed(), l.held(), l.ratePerSecond(), orNull(l.lastSeq()),
                orNull(l.firstSeq()), orNull(l.fence()), l.runs(), s.lastError());
    }

    private static Long orNull(long v) {
        return v < 0 ? null : v;
    }
}
