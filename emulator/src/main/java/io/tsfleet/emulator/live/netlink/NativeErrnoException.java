package io.tsfleet.emulator.live.netlink;

import io.tsfleet.protocol.netlink.Errno;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/** A failed system call on the live netlink socket: the operation and the positive {@code errno}. */
public final class NativeErrnoException extends IOException {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"),
            Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"), Map.entry(34, "ERANGE"),
            Map.entry(75, "EOVERFLOW"), Map.entry(90, "EMSGSIZE"), Map.entry(92, "ENOPROTOOPT"),
            Map.entry(93, "EPROTONOSUPPORT"), Map.entry(95, "EOPNOTSUPP"), Map.entry(97, "EAFNOSUPPORT"),
            Map.entry(98, "EADDRINUSE"), Map.entry(105, "ENOBUFS"), Map.entry(111, "ECONNREFUSED"));

    private final String operation;
    private final int errno;

    public NativeErrnoException(String operation, int errno) {
        super(operation + " failed: " + name(errno) + " (errno " + errno + ")");
        this.operation = operation;
        this.errno = Math.abs(errno);
    }

    /** Throws for a negative raw result ({@code -errno}), returns it otherwise. */
    static long check(String operation, long result) throws NativeErrnoException {
        if (result < 0) throw new NativeErrnoException(operation, (int) -result);
        return result;
    }

    public String operation() {
        return operation;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    /** The errno as the protocol module's enum, when it is one of the values that appear on the netlink paths. */
    public Optional<Errno> known() {
        return Optional.ofNullable(Errno.ofCode(errno));
    }

    /** The symbolic name ({@code EPERM}, …) or {@code errno N}. */
    public static String name(int errno) {
        return NAMES.getOrDefault(Math.abs(errno), "errno " + Math.abs(errno));
    }
}
