package io.tsfleet.coordinator.kubernetes;

import java.util.OptionalInt;

/** Applies the desired number of listener replicas somewhere (the Kubernetes scale subresource). */
public interface ReplicaScaler {

    /** The current desired size of the listener workload, if it can be read. */
    OptionalInt currentReplicas();

    /** Sets the desired size. */
    void scale(int replicas);

    String describe();
}
