package io.tsfleet.emulator.broker;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeIdentityTest {
    private static final String BOOT = "3f1c2a8e-5b6d-4e7f-9a0b-1c2d3e4f5a6b";

    @Test
    void aNodeNameIsADnsSubdomain() {
        assertThat(new NodeIdentity("worker-1.zone-a", BOOT).name()).isEqualTo("worker-1.zone-a");
        for (String bad : new String[]{"", "Worker-1", "-worker", "worker-", "worker_1", "a..b", "a".repeat(254), "node 1"}) {
            assertThatThrownBy(() -> new NodeIdentity(bad, BOOT)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a DNS subdomain");
        }
        assertThat(NodeIdentity.isValidName("a".repeat(253))).isTrue();
    }

    @Test
    void theBootIdIsAUuidInItsCanonicalForm() {
        assertThat(new NodeIdentity("n", BOOT.toUpperCase()).bootId()).isEqualTo(BOOT);
        assertThatThrownBy(() -> new NodeIdentity("n", "not-a-uuid")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSequenceEpochIsDerivedFromTheBootIdAndNeverZero() {
        UUID id = UUID.fromString(BOOT);
        assertThat(new NodeIdentity("n", BOOT).seqEpoch()).isEqualTo(id.getMostSignificantBits() ^ id.getLeastSignificantBits());
        assertThat(new NodeIdentity("n", new UUID(5, 5).toString()).seqEpoch()).isEqualTo(1);
        assertThat(new NodeIdentity("n", BOOT).seqEpoch()).isNotEqualTo(new NodeIdentity("n", UUID.randomUUID().toString()).seqEpoch());
    }

    @Test
    void theDefaultNameIsAValidNodeName() {
        assertThat(NodeIdentity.isValidName(NodeIdentity.defaultName())).isTrue();
    }
}
