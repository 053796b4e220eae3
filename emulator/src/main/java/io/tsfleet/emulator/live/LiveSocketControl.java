package io.tsfleet.emulator.live;

import io.tsfleet.emulator.live.netlink.LiveNetlinkSocket;

import java.io.IOException;

/**
 * {@link SocketControl} on a real kernel socket; the receive pause is the session's state. With a receive-buffer floor
 * (see {@link KernelBackendSettings#receiveBufferFloor()}), the socket never has less: the floor is set when the socket
 * opens and restored after a client's smaller request.
 */
final class LiveSocketControl implements SocketControl {
    private final LiveNetlinkSocket socket;
    private final ProcNetNetlink proc;
    private final int receiveBufferFloor;
    private boolean recvPaused;
    private Boolean requestedRecvPaused;

    LiveSocketControl(LiveNetlinkSocket socket, ProcNetNetlink proc, int receiveBufferFloor) throws IOException {
        this.socket = socket;
        this.proc = proc;
        this.receiveBufferFloor = receiveBufferFloor;
        applyReceiveBufferFloor();
    }

    /** Raises the socket's effective receive buffer to the floor ({@code SO_RCVBUFFORCE} of half of it: the kernel doubles). */
    private void applyReceiveBufferFloor() throws IOException {
        if (receiveBufferFloor > 0 && socket.receiveBuffer() < receiveBufferFloor) {
            socket.setReceiveBuffer(receiveBufferFloor / 2 + receiveBufferFloor % 2, true);
        }
    }

    @Override
    public int portId() {
        return socket.portId();
    }

    @Override
    public void setReceiveBuffer(int value, boolean force) throws IOException {
        socket.setReceiveBuffer(value, force);
        applyReceiveBufferFloor();
    }

    @Override
    public int receiveBuffer() throws IOException {
        return socket.receiveBuffer();
    }

    @Override
    public void setNoEnobufs(boolean on) throws IOException {
        socket.setNoEnobufs(on);
    }

    @Override
    public boolean noEnobufs() throws IOException {
        return socket.noEnobufs();
    }

    @Override
    public void requestRecvPaused(boolean paused) {
        requestedRecvPaused = paused;
    }

    @Override
    public boolean recvPaused() {
        return recvPaused;
    }

    /** The pause change requested by the last request, if any; clears the request. */
    Boolean takeRequestedRecvPaused() {
        Boolean r = requestedRecvPaused;
        requestedRecvPaused = null;
        return r;
    }

    void setRecvPaused(boolean paused) {
        recvPaused = paused;
    }

    @Override
    public QueueState queueState() throws IOException {
        return proc.find(socket.portId()).orElseThrow(
                () -> new IOException("socket with port id " + Integer.toUnsignedString(socket.portId()) + " not listed in /proc/net/netlink"));
    }
}
