package io.tsfleet.coordinator.persistence;

import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.AssignmentStore.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileAssignmentStoreTest {
    @TempDir
    Path dir;

    @Test
    void aSavedSnapshotIsLoadedBackUnchanged() {
        FileAssignmentStore store = new FileAssignmentStore(dir.resolve("sub/state.json"));
        assertThat(store.load()).isEmpty();

        store.save(Snapshots.sample(41));
        store.save(Snapshots.sample(42));

        assertThat(store.load()).contains(Snapshots.sample(42));
        assertThat(new FileAssignmentStore(dir.resolve("sub/state.json")).load()).contains(Snapshots.sample(42));
        assertThat(dir.resolve("sub/state.json.tmp")).doesNotExist();
    }

    @Test
    void aCorruptOrForeignFileIsAClearErrorNotAnEmptyAssignment() throws Exception {
        Path file = dir.resolve("state.json");
        FileAssignmentStore store = new FileAssignmentStore(file);
        Files.writeString(file, "{\"formatVersion\":1,\"snapshot\":{\"generation\":");
        assertThatThrownBy(store::load).isInstanceOf(StoreException.class).hasMessageContaining(file.toString());
        Files.writeString(file, "{\"formatVersion\":99,\"snapshot\":" + SnapshotJson.write(Snapshots.sample(1)).replaceFirst("^\\{\"formatVersion\":1,\"snapshot\":", ""));
        assertThatThrownBy(store::load).isInstanceOf(StoreException.class).hasMessageContaining("format version 99");
    }

    @Test
    void theJsonIsTheDocumentedEnvelope() {
        String json = SnapshotJson.write(Snapshots.sample(7));
        assertThat(json).startsWith("{\"formatVersion\":1,\"snapshot\":{\"generation\":7,\"possibleCpus\":\"0-15\"");
        AssignmentSnapshot back = SnapshotJson.read(json, "test");
        assertThat(back).isEqualTo(Snapshots.sample(7));
    }
}
