package io.tsfleet.protocol.netlink;

/**
 * Input that is not a well-formed netlink message or attribute stream. It is the only exception the
 * decoders throw for bad input; the message says what was wrong and where.
 */
public final class MalformedMessageException extends Exception {
    public MalformedMessageException(String message) {
        super(message);
    }
}
