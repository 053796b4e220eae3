package io.tsfleet.listener.engine;

/** Told when the replica starts and stops holding state for a node (the metrics adapter keeps per-node series). */
public interface NodeObserver {
    NodeObserver NONE = new NodeObserver() {
    };

    /** The replica holds state for {@code node} from now on. */
    default void nodeAdded(NodeSlots node) {
    }

    /** The replica forgot {@code node} (it left the directive). */
    default void nodeRemoved(NodeSlots node) {
    }
}
