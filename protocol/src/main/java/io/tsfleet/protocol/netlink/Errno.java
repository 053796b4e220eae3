package io.tsfleet.protocol.netlink;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The Linux (x86_64) errno values that appear on the taskstats and netlink paths. */
public enum Errno {
    EPERM(1), ESRCH(3), E2BIG(7), EAGAIN(11), ENOMEM(12), EINVAL(22), ERANGE(34), EMSGSIZE(90),
    EOVERFLOW(75), EOPNOTSUPP(95), ENOBUFS(105), ECONNREFUSED(111);

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

    /** The errno for a positive or negative code, or null when it is not one of ours. */
    public static Errno ofCode(int code) {
        return BY_CODE.get(Math.abs(code));
    }
}
