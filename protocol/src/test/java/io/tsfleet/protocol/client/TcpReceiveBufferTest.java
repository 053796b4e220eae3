package io.tsfleet.protocol.client;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TcpReceiveBufferTest {
    @Test
    void theTcpBufferFollowsTheNetlinkReceiveBufferWithinBounds() {
        assertThat(BrokerClient.tcpReceiveBuffer(16 * 1024)).isEqualTo(16 * 1024);
        assertThat(BrokerClient.tcpReceiveBuffer(40_000)).isEqualTo(40_000);
        assertThat(BrokerClient.tcpReceiveBuffer(4096)).as("at least 16 KiB").isEqualTo(16 * 1024);
        assertThat(BrokerClient.tcpReceiveBuffer(2 * 1024 * 1024)).as("at most 128 KiB").isEqualTo(128 * 1024);
        assertThat(BrokerClient.tcpReceiveBuffer(0)).as("the broker's default").isEqualTo(128 * 1024);
    }
}
