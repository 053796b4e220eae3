package io.tsfleet.emulator.live.netlink;

import io.tsfleet.protocol.netlink.Errno;

import java.io.IOException;
import java.util.Optional;

/** A failed system call on the live netlink socket: the operation and the positive {@code errno}. */
public final class NativeErrnoException extends IOException {
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
        return Errno.nameOf(errno);
    }
}
