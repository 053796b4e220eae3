package io.tsfleet.coordinator.domain.state;

import java.util.Optional;

/**
 * Where the assignment survives a coordinator restart: a file by default, a ConfigMap on Kubernetes. Both
 * implementations live at the edges; the domain sees only this interface.
 */
public interface AssignmentStore {

    /** The last saved snapshot, if any. Throws {@link StoreException} when the store cannot be read or parsed. */
    Optional<AssignmentSnapshot> load();

    /**
     * Saves atomically (a reader sees the old or the new snapshot, never a mix). Throws {@link StoreException} when
     * it could not, and {@link StoreConflictException} when someone else wrote the store since this instance last
     * loaded or saved it (a store shared between coordinators writes only over what it read).
     */
    void save(AssignmentSnapshot snapshot);

    /** A failure of the store. */
    sealed class StoreException extends RuntimeException permits StoreConflictException {
        public StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Another writer changed the store since this instance read it: this instance is no longer the only writer. */
    final class StoreConflictException extends StoreException {
        public StoreConflictException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
