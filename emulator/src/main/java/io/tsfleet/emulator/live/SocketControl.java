package io.tsfleet.emulator.live;

import io.tsfleet.protocol.sock.SockProtocol;
import java.io.IOException;

/** The socket-level operations behind {@code TSFLEET_SOCK}: on the live backend, real syscalls on the connection's socket. */
interface SocketControl {

    /** {@code getsockname}: the port id. */
    int portId();

    /** {@code setsockopt(SO_RCVBUF | SO_RCVBUFFORCE)}; the raw int, as a C client would pass it. */
    void setReceiveBuffer(int value, boolean force) throws IOException;

    /** {@code getsockopt(SO_RCVBUF)}: the effective {@code sk_rcvbuf}. */
    int receiveBuffer() throws IOException;

    /** {@code setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS)}. */
    void setNoEnobufs(boolean on) throws IOException;

    boolean noEnobufs() throws IOException;

    /**
     * {@code SockProtocol.ATTR_RECV_PAUSED}: the client stops (true) or resumes (false) calling {@code recv()}. Takes
     * effect after the answer to the request that carries it (see {@link KernelSession}).
     */
    void requestRecvPaused(boolean paused);

    boolean recvPaused();

    /** Bytes charged to the receive queue ({@code sk_rmem_alloc}) and messages dropped ({@code sk_drops}). */
    QueueState queueState() throws IOException;

    record QueueState(long rmem, long drops) {
    }
}
