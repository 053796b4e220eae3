package io.tsfleet.protocol.netlink;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Linux (x86_64) errno values that appear on the taskstats and netlink paths and in the system calls of the
 * live kernel backend. In {@code nlmsgerr.error} they are negative ({@link #negative()}); system calls report them
 * positive ({@link #code()}).
 */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), E2BIG(7), EBADF(9), EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14),
    EINVAL(22), ENFILE(23), EMFILE(24), ERANGE(34), EOVERFLOW(75), EMSGSIZE(90), ENOPROTOOPT(92),
    EPROTONOSUPPORT(93), EOPNOTSUPP(95), EAFNOSUPPORT(97), EADDRINUSE(98), ENOBUFS(105), ECONNREFUSED(111);

    private static final Map<Integer, Errno> BY_CODE =
            Arrays.stream(values()).collect(Collectors.toMap(Errno::code, Function.identity()));

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The positive errno value. */
    public int code() {
        return code;
    }

    /** The value as it appears in {@code nlmsgerr.error}: negative. */
    public int negative() {
        return -code;
    }

    /** Whether {@code value} is this errno, positive (a system call's errno) or negative (a netlink error). */
    public boolean is(int value) {
        return value == code || value == -code;
    }

    /** The errno for a positive or negative code, or null when it is not one of ours. */
    public static Errno ofCode(int code) {
        return BY_CODE.get(Math.abs(code));
    }

    /** The symbolic name ({@code EPERM}, …) of a positive or negative code, or {@code errno N}. */
    public static String nameOf(int code) {
        Errno e = ofCode(code);
        return e != null ? e.name() : "errno " + Math.abs(code);
    }
}
