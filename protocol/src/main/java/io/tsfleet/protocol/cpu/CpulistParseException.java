package io.tsfleet.protocol.cpu;

import io.tsfleet.protocol.netlink.Errno;

/** A cpulist the kernel would reject, with the errno it would return. */
public final class CpulistParseException extends Exception {
    private final Errno errno;

    public CpulistParseException(Errno errno, String message) {
        super(message + " (" + errno + ")");
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
