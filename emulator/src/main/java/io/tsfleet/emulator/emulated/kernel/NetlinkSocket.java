package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.sock.SockProtocol;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * One emulated {@code NETLINK_GENERIC} socket: its port id, its receive queue accounted in truesize bytes
 * against {@code sk_rcvbuf} as {@code netlink_attachskb} does, the sticky congestion state with the
 * pending {@code ENOBUFS} of {@code netlink_overrun}, {@code NETLINK_NO_ENOBUFS}, and the privilege of the
 * process behind it.
 *
 * <p>"Read by the client" means taken out of the queue by {@link #drainTo} (the broker then writes those
 * bytes to TCP). The congestion ends, as in {@code netlink_rcv_wake}, when a drain leaves the queue empty.
 * Thread-safe: producers (exits on any CPU, replies) and the single drainer synchronise on the socket.
 */
public final class NetlinkSocket {
    private static final byte[] OVERRUN = NetlinkError.overrun().toBytes();
    private static final int NOOP_LENGTH = 16;
    private static final byte[][] NO_MESSAGES = new byte[0][];

    private final int portId;
    private final Runnable outputSignal;

    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int rmem;
    private int rcvbuf;
    private boolean noEnobufs;
    private boolean congested;
    private boolean pendingEnobufs;
    private long drops;
    private long enobufsReported;
    private boolean authenticated;
    private volatile boolean closed;
    /** {@link SockProtocol#ATTR_RECV_PAUSED}: -1 = reading; otherwise how many more messages may still be taken. */
    private int pausedAllowance = -1;
    /** Sequence number of the resume request whose drained-marker is due, or null. */
    private Integer resumeMarkerSeq;

    NetlinkSocket(int portId, int rcvbuf, Runnable outputSignal) {
        this.portId = portId;
        this.rcvbuf = rcvbuf;
        this.outputSignal = outputSignal;
    }

    public int portId() {
        return portId;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Queues one message (stream bytes, already padded) unless the receive buffer refuses it. An empty
     * queue always takes one message; otherwise it must stay below {@code sk_rcvbuf}, and nothing gets in
     * while the socket is congested.
     */
    public Delivery deliver(byte[] message) {
        int truesize = Truesize.of(message.length);
        boolean signal;
        Delivery result;
        synchronized (this) {
            if (closed) return Delivery.REFUSED;
            int after = rmem + truesize;
            if ((after == truesize || after < rcvbuf) && !congested) {
                queue.addLast(message);
                rmem = after;
                signal = queue.size() == 1 && !pendingEnobufs;
                result = Delivery.QUEUED;
            } else {
                result = congested ? Delivery.DROPPED_CONGESTED : Delivery.DROPPED_RCVBUF_FULL;
                drops++;
                signal = false;
                if (!noEnobufs && !congested) {
                    congested = true;
                    pendingEnobufs = true;
                    signal = true;
                }
            }
        }
        if (signal) outputSignal.run();
        return result;
    }

    /**
     * Moves the pending {@code ENOBUFS} report (first) and then whole queued messages into {@code out}, as
     * many as fit. Returns the number of bytes written. The messages are taken out of the queue (and the
     * receive buffer accounting updated) under the socket's lock; the bytes are copied after it is released,
     * so producers delivering to this socket never wait for a large copy. One drainer at a time.
     */
    public int drainTo(ByteBuffer out) {
        int start = out.position();
        int room = out.remaining();
        boolean overrun = false;
        byte[][] taken = NO_MESSAGES;
        int count = 0;
        boolean marker = false;
        int markerSeq = 0;
        synchronized (this) {
            if (pausedAllowance == 0) return 0;
            if (pendingEnobufs) {
                if (room < OVERRUN.length) return 0;
                room -= OVERRUN.length;
                overrun = true;
                pendingEnobufs = false;
                enobufsReported++;
            }
            byte[] head;
            while (pausedAllowance != 0 && (head = queue.peekFirst()) != null && head.length <= room) {
                if (count == taken.length) taken = java.util.Arrays.copyOf(taken, Math.max(16, Math.min(2 * count, queue.size() + count)));
                taken[count++] = head;
                room -= head.length;
                queue.pollFirst();
                rmem -= Truesize.of(head.length);
                if (pausedAllowance > 0) pausedAllowance--;
            }
            if (queue.isEmpty()) {
                congested = false;
                if (resumeMarkerSeq != null && room >= NOOP_LENGTH) {
                    marker = true;
                    markerSeq = resumeMarkerSeq;
                    resumeMarkerSeq = null;
                }
            }
        }
        if (overrun) out.put(OVERRUN);
        for (int i = 0; i < count; i++) out.put(taken[i]);
        if (marker) {
            out.order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(NOOP_LENGTH).putShort((short) io.tsfleet.protocol.netlink.Netlink.NLMSG_NOOP)
                    .putShort((short) 0).putInt(markerSeq).putInt(portId);
        }
        return out.position() - start;
    }

    /** True when a drain would produce something. */
    public synchronized boolean hasOutput() {
        return pausedAllowance != 0 && (pendingEnobufs || !queue.isEmpty() || resumeMarkerSeq != null);
    }

    /** {@code setsockopt(SO_RCVBUF / SO_RCVBUFFORCE)}; returns the effective value. */
    public synchronized int setRcvbuf(long requested, int rmemMax, boolean force) {
        rcvbuf = SockProtocol.effectiveRcvbuf(requested, rmemMax, force);
        return rcvbuf;
    }

    /** {@code setsockopt(NETLINK_NO_ENOBUFS)}: turning it on also ends a congestion, as in the kernel. */
    public void setNoEnobufs(boolean on) {
        boolean signal;
        synchronized (this) {
            noEnobufs = on;
            signal = false;
            if (on) {
                congested = false;
                signal = !queue.isEmpty();
            }
        }
        if (signal) outputSignal.run();
    }

    /**
     * {@link SockProtocol#ATTR_RECV_PAUSED}: pausing lets the messages queued so far (plus the ack that
     * follows when {@code ackFollows}) out and then holds the queue; resuming releases it and asks for the
     * drained marker with {@code seq}.
     */
    public void setRecvPaused(boolean paused, boolean ackFollows, int seq) {
        synchronized (this) {
            if (paused) {
                pausedAllowance = queue.size() + (ackFollows ? 1 : 0);
                resumeMarkerSeq = null;
            } else {
                pausedAllowance = -1;
                resumeMarkerSeq = seq;
            }
        }
        if (!paused) outputSignal.run();
    }

    public synchronized boolean recvPaused() {
        return pausedAllowance >= 0;
    }

    synchronized void authenticate() {
        authenticated = true;
    }

    public synchronized boolean authenticated() {
        return authenticated;
    }

    public synchronized SocketState state() {
        return new SocketState(portId, rcvbuf, noEnobufs, authenticated, rmem, queue.size(), congested, drops, enobufsReported,
                pausedAllowance >= 0);
    }

    /** The connection is gone: later deliveries are refused ({@code ECONNREFUSED}); the queue is freed. */
    public void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
            rmem = 0;
            pendingEnobufs = false;
        }
    }

    /** A snapshot of the socket's state (for {@code TSFLEET_SOCK} GET and the control API). */
    public record SocketState(int portId, int rcvbuf, boolean noEnobufs, boolean authenticated, int rmem, int queuedMessages,
                              boolean congested, long drops, long enobufsReported, boolean recvPaused) {
    }
}
