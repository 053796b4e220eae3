package io.tsfleet.emulator.live.netlink;

import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.NetlinkMessage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A real {@code AF_NETLINK}/{@code NETLINK_GENERIC} socket of the running kernel, opened through the FFM API.
 * It is non-blocking; {@link #tryReceive()} never waits, {@link #receive(Duration)} waits with {@code poll(2)}
 * (from a platform thread: a native wait pins a virtual thread's carrier; many sockets are better served by
 * {@link NetlinkPoller}). One thread may send while another receives; {@link #close()} from any thread wakes a
 * waiting receiver and releases the descriptor only after every call in flight has returned, so a closed
 * descriptor number is never used again by this object.
 */
public final class LiveNetlinkSocket implements AutoCloseable {
    /**
     * Large enough for any datagram the kernel sends a generic netlink socket: controller dumps, and the error answer
     * that echoes a whole request (a request is at most what the broker accepts, 128 KiB).
     */
    public static final int RECEIVE_BUFFER_BYTES = 256 * 1024;
    /** One receive buffer per thread that receives (the broker's few I/O threads), not per socket. */
    private static final ThreadLocal<MemorySegment> RECEIVE_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(RECEIVE_BUFFER_BYTES, 8));

    private final int fd;
    private final int wakeFd;
    private final int portId;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;

    private LiveNetlinkSocket(int fd, int wakeFd, int portId) {
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.portId = portId;
    }

    /**
     * Opens a generic netlink socket and binds it with port id 0, so that the kernel autobinds a unique non-zero
     * port id (the first socket of a process gets the process id, later ones negative values).
     */
    public static LiveNetlinkSocket open() throws NativeErrnoException {
        return openBound(0);
    }

    /**
     * Opens a generic netlink socket bound to this port id ({@code EADDRINUSE} when another socket holds it); 0 lets
     * the kernel choose. Binding a chosen id is what a process that reuses a dead listener's port id does.
     */
    public static LiveNetlinkSocket openBound(int requestedPortId) throws NativeErrnoException {
        int fd = (int) NativeErrnoException.check("socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC)",
                Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, Libc.NETLINK_GENERIC));
        int wake = -1;
        try (Arena a = Arena.ofConfined()) {
            wake = (int) NativeErrnoException.check("eventfd", Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC));
            MemorySegment addr = a.allocate(Libc.SOCKADDR_NL_SIZE, 4);
            addr.set(JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
            addr.set(JAVA_INT, 4, requestedPortId);
            NativeErrnoException.check("bind(AF_NETLINK)", Libc.bind(fd, addr, Libc.SOCKADDR_NL_SIZE));
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, Libc.SOCKADDR_NL_SIZE);
            addr.fill((byte) 0);
            NativeErrnoException.check("getsockname", Libc.getsockname(fd, addr, len));
            return new LiveNetlinkSocket(fd, wake, addr.get(JAVA_INT, 4));
        } catch (NativeErrnoException | RuntimeException e) {
            Libc.close(fd);
            if (wake >= 0) Libc.close(wake);
            throw e;
        }
    }

    /** The port id the kernel bound this socket to ({@code getsockname}); the kernel puts it in replies and acks. */
    public int portId() {
        return portId;
    }

    /** The file descriptor, for {@link NetlinkPoller}. */
    int fd() {
        return fd;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Sends one message as one datagram ({@code nlmsg_len} bytes, as a netlink client writes it). */
    public void send(NetlinkMessage message) throws IOException {
        byte[] bytes = message.toBytes();
        send(bytes, message.length());
    }

    /** Sends the first {@code length} bytes of {@code datagram} as one datagram. */
    public void send(byte[] datagram, int length) throws IOException {
        if (length < 0 || length > datagram.length) throw new IllegalArgumentException("length " + length + " outside the datagram");
        enter();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, length));
            MemorySegment.copy(datagram, 0, buf, JAVA_BYTE, 0, length);
            long sent = NativeErrnoException.check("send", Libc.send(fd, buf, length, Libc.MSG_DONTWAIT));
            if (sent != length) throw new IOException("send wrote " + sent + " of " + length + " bytes of a netlink datagram");
        } finally {
            leave();
        }
    }

    /**
     * Takes the next queued datagram without waiting: {@link Received.Datagram}, {@link Received.Overrun} when the
     * kernel reports {@code ENOBUFS} (it does so once, ahead of the data still queued), or {@link Received.Nothing}.
     */
    public Received tryReceive() throws IOException {
        if (!tryEnter()) return Received.CLOSED;
        receiveLock.lock();
        try {
            MemorySegment receiveBuffer = RECEIVE_BUFFER.get();
            long n = Libc.recv(fd, receiveBuffer, RECEIVE_BUFFER_BYTES, Libc.MSG_DONTWAIT | Libc.MSG_TRUNC);
            if (n == Errno.EAGAIN.negative()) return Received.NOTHING;
            if (n == Errno.ENOBUFS.negative()) return Received.OVERRUN;
            NativeErrnoException.check("recv", n);
            int copied = (int) Math.min(n, RECEIVE_BUFFER_BYTES);
            return new Received.Datagram(receiveBuffer.asSlice(0, copied).toArray(JAVA_BYTE), (int) n);
        } finally {
            receiveLock.unlock();
            leave();
        }
    }

    /** Waits up to {@code timeout} for a datagram or an overrun; {@link Received.Closed} when closed meanwhile. */
    public Received receive(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Received r = tryReceive();
            if (!(r instanceof Received.Nothing)) return r;
            long left = deadline - System.nanoTime();
            if (left <= 0) return Received.NOTHING;
            if (!awaitReadable(Math.max(1, (int) Math.min(Integer.MAX_VALUE, Duration.ofNanos(left).toMillis())))) {
                return closed ? Received.CLOSED : Received.NOTHING;
            }
        }
    }

    private boolean awaitReadable(int timeoutMillis) throws IOException {
        enter();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(16, 4);
            fds.set(JAVA_INT, 0, fd);
            fds.set(JAVA_SHORT, 4, Libc.POLLIN);
            fds.set(JAVA_INT, 8, wakeFd);
            fds.set(JAVA_SHORT, 12, Libc.POLLIN);
            int ready = (int) NativeErrnoException.check("poll", Libc.poll(fds, 2, timeoutMillis));
            return ready > 0 && fds.get(JAVA_SHORT, 6) != 0 && !closed;
        } finally {
            leave();
        }
    }

    /** {@code setsockopt(SO_RCVBUF)} (clamped by the kernel to {@code 2 * rmem_max}, doubled) or {@code SO_RCVBUFFORCE}. */
    public void setReceiveBuffer(int bytes, boolean force) throws IOException {
        setIntOption(Libc.SOL_SOCKET, force ? Libc.SO_RCVBUFFORCE : Libc.SO_RCVBUF, bytes, force ? "SO_RCVBUFFORCE" : "SO_RCVBUF");
    }

    /** The effective {@code sk_rcvbuf} ({@code getsockopt(SO_RCVBUF)}). */
    public int receiveBuffer() throws IOException {
        return getIntOption(Libc.SOL_SOCKET, Libc.SO_RCVBUF, "SO_RCVBUF");
    }

    /** {@code setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS)}. */
    public void setNoEnobufs(boolean on) throws IOException {
        setIntOption(Libc.SOL_NETLINK, Libc.NETLINK_NO_ENOBUFS, on ? 1 : 0, "NETLINK_NO_ENOBUFS");
    }

    public boolean noEnobufs() throws IOException {
        return getIntOption(Libc.SOL_NETLINK, Libc.NETLINK_NO_ENOBUFS, "NETLINK_NO_ENOBUFS") != 0;
    }

    private void setIntOption(int level, int name, int value, String label) throws IOException {
        enter();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            NativeErrnoException.check("setsockopt(" + label + ")", Libc.setsockopt(fd, level, name, v, 4));
        } finally {
            leave();
        }
    }

    private int getIntOption(int level, int name, String label) throws IOException {
        enter();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            NativeErrnoException.check("getsockopt(" + label + ")", Libc.getsockopt(fd, level, name, v, len));
            return v.get(JAVA_INT, 0);
        } finally {
            leave();
        }
    }

    private void enter() throws IOException {
        if (!tryEnter()) throw new IOException("netlink socket (port id " + Integer.toUnsignedString(portId) + ") is closed");
    }

    private boolean tryEnter() {
        lifecycle.readLock().lock();
        if (closed) {
            lifecycle.readLock().unlock();
            return false;
        }
        return true;
    }

    private void leave() {
        lifecycle.readLock().unlock();
    }

    /** Closes the socket (the kernel forgets its port id; registrations left behind become stale). Idempotent. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) return;
        closed = true;
        Libc.signalEventfd(wakeFd);
        lifecycle.writeLock().lock();
        try {
            Libc.close(fd);
            Libc.close(wakeFd);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "LiveNetlinkSocket[portId=" + Integer.toUnsignedString(portId) + (closed ? ", closed" : "") + "]";
    }
}
