package io.tsfleet.protocol.client;

import io.tsfleet.protocol.netlink.Errno;

import java.io.IOException;

/** The broker answered a request with a negative errno (for example -EPERM without a valid token). */
public final class BrokerRefusedException extends IOException {
    private final int error;

    public BrokerRefusedException(String what, int error) {
        super(what + " refused by the broker: " + describe(error));
        this.error = error;
    }

    /** The negative errno. */
    public int error() {
        return error;
    }

    private static String describe(int error) {
        Errno e = Errno.ofCode(error);
        return (e == null ? "errno" : e.name()) + " (" + error + ")";
    }
}
