package io.tsfleet.emulator.broker;

import java.io.IOException;

/**
 * A backend's refusal of a connection by policy (not a failure): {@link BrokerBackend#open} throws it, and the server
 * tells the client why in band (an {@code NLMSG_ERROR} with {@code -EPERM} and the message as extended ack) before it
 * closes the connection, counting it under {@link #reason()}.
 */
public class ConnectionRefusedException extends IOException {
    private final RefusalReason reason;

    public ConnectionRefusedException(RefusalReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public RefusalReason reason() {
        return reason;
    }
}
