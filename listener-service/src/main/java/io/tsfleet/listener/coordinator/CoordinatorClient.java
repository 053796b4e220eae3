package io.tsfleet.listener.coordinator;

import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;

/** The replica's side of the coordinator contract: one heartbeat, one directive back. */
public interface CoordinatorClient {

    /**
     * Sends the heartbeat; returns the coordinator's directive, or null when it answered without one.
     *
     * @throws HeartbeatFailedException when the coordinator is unreachable, times out, or answers with an error
     */
    ReplicaDirective heartbeat(ReplicaHeartbeat heartbeat) throws HeartbeatFailedException;
}
