package io.tsfleet.coordinator.persistence;

import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;

import java.util.List;
import java.util.Map;
import java.util.Set;

final class Snapshots {
    private Snapshots() {
    }

    static AssignmentSnapshot sample(long generation) {
        return new AssignmentSnapshot(generation, "0-15",
                Map.of("a", "0-7", "b", "8-15"), Map.of("a", "0-5", "b", "6-15"),
                List.of(new AssignmentSnapshot.HandoverRecord(6, "a", "b", "BREAK", generation, 4_294_967_290L, generation - 1),
                        new AssignmentSnapshot.HandoverRecord(7, "a", "b", "PREPARE", generation - 1, null, null)),
                List.of(new AssignmentSnapshot.ReleaseRecord(6, "a", 4_294_967_290L, generation)),
                Map.of("b", "12-15"), Set.of());
    }
}
