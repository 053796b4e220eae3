package io.tsfleet.listener.engine;

import java.io.IOException;

/**
 * The broker the coordinator named for a node reported another node in its handshake (or none): the connection is
 * refused (closed before anything is registered), counted, and tried again after the backoff, since the coordinator
 * may correct the address.
 */
final class BrokerNodeMismatchException extends IOException {
    BrokerNodeMismatchException(String message) {
        super(message);
    }
}
