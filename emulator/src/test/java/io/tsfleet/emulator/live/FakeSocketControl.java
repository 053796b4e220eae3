package io.tsfleet.emulator.live;

import io.tsfleet.emulator.live.netlink.NativeErrnoException;
import io.tsfleet.protocol.sock.SockProtocol;

import java.io.IOException;

/** A socket whose options behave like the kernel's (doubling, clamping to 2 * rmem_max, SOCK_MIN_RCVBUF); no kernel needed. */
final class FakeSocketControl implements SocketControl {
    private final int portId;
    private final int rmemMax;
    int rcvbuf = SockProtocol.DEFAULT_RMEM;
    boolean noEnobufs;
    Boolean requestedPause;
    boolean paused;
    int setsockoptCalls;
    Integer failSetsockoptWith;

    FakeSocketControl(int portId, int rmemMax) {
        this.portId = portId;
        this.rmemMax = rmemMax;
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public void setReceiveBuffer(int value, boolean force) throws IOException {
        setsockoptCalls++;
        if (failSetsockoptWith != null) throw new NativeErrnoException("setsockopt", failSetsockoptWith);
        rcvbuf = SockProtocol.effectiveRcvbuf(value, rmemMax, force);
    }

    @Override
    public int receiveBuffer() {
        return rcvbuf;
    }

    @Override
    public void setNoEnobufs(boolean on) {
        setsockoptCalls++;
        noEnobufs = on;
    }

    @Override
    public boolean noEnobufs() {
        return noEnobufs;
    }

    @Override
    public void requestRecvPaused(boolean p) {
        requestedPause = p;
    }

    @Override
    public boolean recvPaused() {
        return paused;
    }

    @Override
    public QueueState queueState() {
        return new QueueState(1280, 3);
    }
}
