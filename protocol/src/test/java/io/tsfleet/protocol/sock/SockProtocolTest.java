package io.tsfleet.protocol.sock;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What a broker may report as {@code ATTR_NODE} and {@code ATTR_BOOT_ID}. */
class SockProtocolTest {

    @Test
    void aNodeNameIsADnsSubdomainOfAtMost253Characters() {
        assertThat(SockProtocol.isValidNodeName("worker-1")).isTrue();
        assertThat(SockProtocol.isValidNodeName("ip-10-0-3-17.eu-west-1.compute.internal")).isTrue();
        assertThat(SockProtocol.isValidNodeName("a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61)))
                .as("253 characters").isTrue();
        assertThat(SockProtocol.isValidNodeName("a".repeat(254))).isFalse();
        for (String bad : new String[] {"", "Worker-1", "worker_1", "-worker", "worker-", "worker..1", ".worker", "worker.",
                "wörker", "worker 1", "worker\"1", "worker\n"}) {
            assertThat(SockProtocol.isValidNodeName(bad)).as("'%s'", bad).isFalse();
        }
        assertThat(SockProtocol.isValidNodeName(null)).isFalse();
    }

    @Test
    void aBootIdIsACanonicalLowerCaseUuid() {
        String id = UUID.randomUUID().toString();
        assertThat(SockProtocol.isValidBootId(id)).isTrue();
        assertThat(SockProtocol.isValidBootId(id.toUpperCase())).isFalse();
        assertThat(SockProtocol.isValidBootId(id.replace("-", ""))).isFalse();
        assertThat(SockProtocol.isValidBootId(id + "0")).isFalse();
        assertThat(SockProtocol.isValidBootId("6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3g")).isFalse();
        assertThat(SockProtocol.isValidBootId("1-2-3-4-5")).as("UUID.fromString would take it").isFalse();
        assertThat(SockProtocol.isValidBootId(null)).isFalse();
    }
}
