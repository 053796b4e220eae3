package io.tsfleet.coordinator.domain.state;

import java.util.Optional;

/**
 * Where the assignment survives a coordinator restart: a file by default, a ConfigMap on Kubernetes. Both
 * implementations live at the edges; the domain sees only this interface.
 */
public interface AssignmentStore {

    /** The last saved snapshot, if any. Throws {@link StoreException} when the store cannot be read or parsed. */
    Optional<AssignmentSnapshot> load();

    /** Saves atomically (a reader sees the old or the new snapshot, never a mix). */
    void save(AssignmentSnapshot snapshot);

    /** A failure of the store. */
    final class StoreException extends RuntimeException {
        public StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
