package io.tsfleet.protocol.client;

import java.io.IOException;

/** The broker's byte stream or answers do not follow the protocol (malformed frame, missing attribute). */
public final class BrokerProtocolException extends IOException {
    public BrokerProtocolException(String message) {
        super(message);
    }
}
