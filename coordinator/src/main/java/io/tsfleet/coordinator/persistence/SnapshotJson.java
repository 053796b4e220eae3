package io.tsfleet.coordinator.persistence;

import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.AssignmentStore.StoreException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The persisted JSON form: {@code {"formatVersion": 1, "snapshot": {...}}}. */
public final class SnapshotJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    record Envelope(int formatVersion, AssignmentSnapshot snapshot) {
    }

    private SnapshotJson() {
    }

    public static String write(AssignmentSnapshot snapshot) {
        return MAPPER.writeValueAsString(new Envelope(AssignmentSnapshot.FORMAT_VERSION, snapshot));
    }

    public static AssignmentSnapshot read(String json, String source) {
        Envelope e;
        try {
            e = MAPPER.readValue(json, Envelope.class);
        } catch (JacksonException ex) {
            throw new StoreException("persisted assignment in " + source + " is not valid JSON of the expected form: " + ex.getOriginalMessage(), ex);
        }
        if (e == null || e.snapshot() == null) throw new StoreException("persisted assignment in " + source + " has no snapshot", null);
        if (e.formatVersion() != AssignmentSnapshot.FORMAT_VERSION) {
            throw new StoreException("persisted assignment in " + source + " has format version " + e.formatVersion()
                    + "; this coordinator reads version " + AssignmentSnapshot.FORMAT_VERSION, null);
        }
        return e.snapshot();
    }
}
