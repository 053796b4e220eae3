package io.tsfleet.emulator.kernel;

/**
 * An extension of the {@code TSFLEET_SOCK} family ({@code io.tsfleet.protocol.sock.SockProtocol}) that the
 * broker protocol needs for exact overflow tests over TCP, where bytes in flight in TCP buffers would
 * otherwise count as read. Both backends serve it; the protocol module does not define it (yet).
 *
 * <ul>
 *   <li>{@link #ATTR_RECV_PAUSED} (u32) in {@code CMD_SET}: 1 = the client stops calling {@code recv()}:
 *       once everything queued up to and including this request's ack has been taken, nothing more leaves
 *       the receive queue (events keep being queued, overflow and congestion happen as in the kernel);
 *       0 = it reads again; when the queue has then been emptied, one {@code NLMSG_NOOP} message with the
 *       request's sequence number and the socket's port id marks the point (the equivalent of
 *       {@code recv()} returning {@code EAGAIN}). The marker is not charged to the receive buffer.
 *       {@code CMD_GET} reports the current value.</li>
 * </ul>
 */
public final class SockExtension {
    private SockExtension() {
    }

    public static final int ATTR_RECV_PAUSED = 9;
}
