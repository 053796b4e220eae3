package io.tsfleet.coordinator.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaTokenFileTest {

    @Test
    void linesNameOneReplicaPerToken(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("t"), "# comment\n\n r-1 = tok1 \nr.2=tok2\n");
        ReplicaTokenFile file = new ReplicaTokenFile(f);
        assertThat(file.size()).isEqualTo(2);
        assertThat(file.replicaOf("tok1")).contains("r-1");
        assertThat(file.replicaOf("tok2")).contains("r.2");
        assertThat(file.replicaOf("tok")).isEmpty();
        assertThat(file.replicaOf("")).isEmpty();
        assertThat(file.replicaOf(null)).isEqualTo(Optional.empty());
    }

    @Test
    void badFilesAreRefusedWithTheLine() {
        assertThatThrownBy(() -> ReplicaTokenFile.parse(List.of("r1"))).hasMessageContaining("line 1 is not <replica-id>=<token>");
        assertThatThrownBy(() -> ReplicaTokenFile.parse(List.of("r1=a", "r1=b"))).hasMessageContaining("line 2: replica 'r1' has a second token");
        assertThatThrownBy(() -> ReplicaTokenFile.parse(List.of("r1=a", "r2=a"))).hasMessageContaining("a token names two replicas");
        assertThatThrownBy(() -> ReplicaTokenFile.parse(List.of("r/1=a"))).hasMessageContaining("replica id");
        assertThatThrownBy(() -> ReplicaTokenFile.parse(List.of("r1="))).hasMessageContaining("non-empty");
    }

    @Test
    void aMissingFileStopsTheStart(@TempDir Path dir) {
        assertThatThrownBy(() -> new ReplicaTokenFile(dir.resolve("absent"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("replica-tokens-file");
    }

    @Test
    void aDeletedFileKeepsTheLastTokens(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("t"), "r1=tok1\n");
        ReplicaTokenFile file = new ReplicaTokenFile(f);
        Files.delete(f);
        assertThat(file.replicaOf("tok1")).contains("r1");
    }
}
