package io.tsfleet.emulator.live.netlink;

import io.tsfleet.protocol.netlink.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc functions the live netlink socket needs, bound with the FFM API ({@link Linker#nativeLinker()}).
 * Every call captures {@code errno} with {@link Linker.Option#captureCallState} and returns the raw result, or
 * {@code -errno} on failure, like the system call itself; {@code EINTR} is retried here. No JNI, no native build.
 *
 * <p>Constants are the x86_64/aarch64 Linux values ({@code asm-generic} socket options, which both use).
 */
final class Libc {
    private Libc() {
    }

    static final int AF_NETLINK = 16;
    static final int NETLINK_GENERIC = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;

    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVBUFFORCE = 33;
    static final int SOL_NETLINK = 270;
    static final int NETLINK_NO_ENOBUFS = 5;

    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;

    static final short POLLIN = 0x1;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x1;
    static final int EPOLLERR = 0x8;
    static final int EPOLLONESHOT = 1 << 30;
    /** {@code struct epoll_event} is packed on x86_64: u32 events, u64 data. */
    static final int EPOLL_EVENT_SIZE = 12;

    /** {@code struct sockaddr_nl}: family, pad, port id, groups. */
    static final int SOCKADDR_NL_SIZE = 12;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = downcall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT =
            downcall("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT =
            downcall("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SEND = downcall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = downcall("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        var symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc function " + name + " not found by the native linker"));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static MemorySegment state(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int socket(int domain, int type, int protocol) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            int r = (int) SOCKET.invokeExact(s, domain, type, protocol);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("socket", t);
        }
    }

    static int bind(int fd, MemorySegment addr, int addrLen) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            int r = (int) BIND.invokeExact(s, fd, addr, addrLen);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("bind", t);
        }
    }

    static int getsockname(int fd, MemorySegment addr, MemorySegment addrLen) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            int r = (int) GETSOCKNAME.invokeExact(s, fd, addr, addrLen);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("getsockname", t);
        }
    }

    static int setsockopt(int fd, int level, int name, MemorySegment value, int valueLen) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            int r = (int) SETSOCKOPT.invokeExact(s, fd, level, name, value, valueLen);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("setsockopt", t);
        }
    }

    static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment valueLen) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            int r = (int) GETSOCKOPT.invokeExact(s, fd, level, name, value, valueLen);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("getsockopt", t);
        }
    }

    static long send(int fd, MemorySegment buf, long len, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            while (true) {
                long r = (long) SEND.invokeExact(s, fd, buf, len, flags);
                if (r >= 0) return r;
                if (errno(s) != Errno.EINTR.code()) return -errno(s);
            }
        } catch (Throwable t) {
            throw failure("send", t);
        }
    }

    static long recv(int fd, MemorySegment buf, long len, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            while (true) {
                long r = (long) RECV.invokeExact(s, fd, buf, len, flags);
                if (r >= 0) return r;
                if (errno(s) != Errno.EINTR.code()) return -errno(s);
            }
        } catch (Throwable t) {
            throw failure("recv", t);
        }
    }

    /** {@code poll} on an array of {@code struct pollfd}; EINTR is reported as 0 ready descriptors. */
    static int poll(MemorySegment fds, long count, int timeoutMillis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            int r = (int) POLL.invokeExact(s, fds, count, timeoutMillis);
            if (r >= 0) return r;
            return errno(s) == Errno.EINTR.code() ? 0 : -errno(s);
        } catch (Throwable t) {
            throw failure("poll", t);
        }
    }

    static int close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            int r = (int) CLOSE.invokeExact(s, fd);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("close", t);
        }
    }

    static int eventfd(int initial, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            int r = (int) EVENTFD.invokeExact(s, initial, flags);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("eventfd", t);
        }
    }

    /** Adds 1 to an eventfd counter (wakes every poll on it). */
    static long signalEventfd(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            MemorySegment one = a.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            long r = (long) WRITE.invokeExact(s, fd, one, 8L);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("write", t);
        }
    }

    /** Resets an eventfd counter to 0 (non-blocking read). */
    static long drainEventfd(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            MemorySegment value = a.allocate(JAVA_LONG);
            long r = (long) READ.invokeExact(s, fd, value, 8L);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("read", t);
        }
    }

    static int epollCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            int r = (int) EPOLL_CREATE1.invokeExact(s, EPOLL_CLOEXEC);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("epoll_create1", t);
        }
    }

    static int epollCtl(int epfd, int op, int fd, int events, long data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            MemorySegment ev = a.allocate(EPOLL_EVENT_SIZE, 4);
            ev.set(JAVA_INT, 0, events);
            ev.set(JAVA_LONG.withByteAlignment(1), 4, data);
            int r = (int) EPOLL_CTL.invokeExact(s, epfd, op, fd, ev);
            return r < 0 ? -errno(s) : r;
        } catch (Throwable t) {
            throw failure("epoll_ctl", t);
        }
    }

    /** {@code epoll_wait}; EINTR is reported as 0 events. */
    static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = state(a);
            int r = (int) EPOLL_WAIT.invokeExact(s, epfd, events, maxEvents, timeoutMillis);
            if (r >= 0) return r;
            return errno(s) == Errno.EINTR.code() ? 0 : -errno(s);
        } catch (Throwable t) {
            throw failure("epoll_wait", t);
        }
    }

    private static IllegalStateException failure(String function, Throwable t) {
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native call " + function + " failed in the FFM layer", t);
    }
}
