package io.tsfleet.listener.engine;

import java.time.Duration;

/**
 * How every CPU's broker connection is made (where to: the {@link NodeEndpoint} of the CPU's node).
 *
 * @param token               the broker token (null: no authentication)
 * @param receiveBufferBytes  the {@code SO_RCVBUF} to request (0: leave the default)
 * @param receiveBufferForce  request it as {@code SO_RCVBUFFORCE} (no {@code rmem_max} clamp; needs privilege)
 * @param readBufferBytes     the client-side read buffer of one connection
 * @param connectTimeout      TCP connect timeout
 * @param initialBackoff      first reconnect delay (exponential backoff with jitter from there)
 * @param maxBackoff          longest reconnect delay
 * @param backoffMultiplier   growth of the delay per failed attempt
 * @param backoffJitter       randomisation factor of the delay (0..1)
 * @param holdbackRecords     records of a leaving CPU held back until its fence (0: none)
 * @param releaseAckTimeout   how long a fenced CPU's connection may bring neither the answer to its DEREGISTER nor any
 *                            record before the CPU is released anyway
 */
public record ChannelSettings(String token, int receiveBufferBytes, boolean receiveBufferForce,
                              int readBufferBytes, Duration connectTimeout, Duration initialBackoff, Duration maxBackoff,
                              double backoffMultiplier, double backoffJitter, int holdbackRecords, Duration releaseAckTimeout) {
}
