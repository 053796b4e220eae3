package io.tsfleet.emulator.live.netlink;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Readiness of many live netlink sockets on one platform thread ({@code epoll}), so that no thread — virtual or
 * not — has to sit in a native {@code recv}/{@code poll} per socket (a virtual thread in a native call pins its
 * carrier; a few such waits would starve the scheduler).
 *
 * <p>Each {@link Registration} is one-shot ({@code EPOLLONESHOT}): when its socket becomes readable, or has a
 * pending error such as {@code ENOBUFS}, the callback runs once on the poller thread (it must be quick: signal,
 * don't work) and the socket is not watched again until the owner, having drained the socket to {@code EAGAIN},
 * calls {@link Registration#rearm()}. Re-arming a socket that is already readable fires immediately, so there is no
 * lost wake-up between the last {@code recv} and the re-arm.
 */
public final class NetlinkPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetlinkPoller.class);
    private static final int MAX_EVENTS = 64;
    /** The registration id of the poller's own wake-up eventfd. */
    private static final long WAKE_ID = 0;

    private final int epfd;
    private final int wakeFd;
    private final Map<Long, Registration> registrations = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Thread thread;
    private volatile boolean closed;

    /** Starts the poller thread. */
    public NetlinkPoller(String name) throws NativeErrnoException {
        epfd = (int) NativeErrnoException.check("epoll_create1", Libc.epollCreate());
        int wake = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (wake < 0) {
            Libc.close(epfd);
            throw new NativeErrnoException("eventfd", -wake);
        }
        wakeFd = wake;
        int rc = Libc.epollCtl(epfd, Libc.EPOLL_CTL_ADD, wakeFd, Libc.EPOLLIN, WAKE_ID);
        if (rc < 0) {
            Libc.close(wakeFd);
            Libc.close(epfd);
            throw new NativeErrnoException("epoll_ctl(ADD eventfd)", -rc);
        }
        thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** Watches {@code socket}; the registration starts armed. */
    public Registration register(LiveNetlinkSocket socket, Runnable onReadable) throws IOException {
        if (closed) throw new IOException("netlink poller is closed");
        Registration r = new Registration(nextId.getAndIncrement(), socket, onReadable);
        registrations.put(r.id, r);
        int rc = Libc.epollCtl(epfd, Libc.EPOLL_CTL_ADD, socket.fd(), Libc.EPOLLIN | Libc.EPOLLONESHOT, r.id);
        if (rc < 0) {
            registrations.remove(r.id);
            throw new NativeErrnoException("epoll_ctl(ADD)", -rc);
        }
        return r;
    }

    /** The number of sockets being watched. */
    public int size() {
        return registrations.size();
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate((long) MAX_EVENTS * Libc.EPOLL_EVENT_SIZE, 4);
            while (!closed) {
                int n = Libc.epollWait(epfd, events, MAX_EVENTS, -1);
                if (n < 0) {
                    LOG.error("epoll_wait failed: " + NativeErrnoException.name(-n) + "; netlink poller stops");
                    return;
                }
                for (int i = 0; i < n; i++) {
                    long id = events.get(JAVA_LONG.withByteAlignment(1), (long) i * Libc.EPOLL_EVENT_SIZE + 4);
                    if (id == WAKE_ID) {
                        Libc.drainEventfd(wakeFd);
                        continue;
                    }
                    Registration r = registrations.get(id);
                    if (r != null && !r.cancelled) fire(r);
                }
            }
        }
    }

    private static void fire(Registration r) {
        try {
            r.onReadable.run();
        } catch (RuntimeException e) {
            LOG.warn("readiness callback of " + r.socket + " failed", e);
        }
    }

    /** Stops the thread. Registrations should be cancelled first; their sockets are not closed here. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Libc.signalEventfd(wakeFd);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Libc.close(wakeFd);
        Libc.close(epfd);
    }

    /** One watched socket. */
    public final class Registration implements AutoCloseable {
        private final long id;
        private final LiveNetlinkSocket socket;
        private final Runnable onReadable;
        private volatile boolean cancelled;

        private Registration(long id, LiveNetlinkSocket socket, Runnable onReadable) {
            this.id = id;
            this.socket = socket;
            this.onReadable = onReadable;
        }

        /** Watches the socket again after the owner has drained it; fires at once when data is already queued. */
        public void rearm() throws NativeErrnoException {
            if (cancelled || closed) return;
            int rc = Libc.epollCtl(epfd, Libc.EPOLL_CTL_MOD, socket.fd(), Libc.EPOLLIN | Libc.EPOLLONESHOT, id);
            if (rc < 0 && !cancelled) throw new NativeErrnoException("epoll_ctl(MOD)", -rc);
        }

        /** Stops watching; call before closing the socket. Idempotent. */
        @Override
        public void close() {
            if (cancelled) return;
            cancelled = true;
            registrations.remove(id);
            if (!socket.isClosed() && !closed) Libc.epollCtl(epfd, Libc.EPOLL_CTL_DEL, socket.fd(), 0, id);
        }
    }
}
