package io.tsfleet.listener.broker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TcpReceiveBufferTest {
    @Test
    void theTcpBufferFollowsTheNetlinkReceiveBufferWithinBounds() {
        assertThat(BrokerConnection.tcpReceiveBuffer(16 * 1024)).isEqualTo(16 * 1024);
        assertThat(BrokerConnection.tcpReceiveBuffer(40_000)).isEqualTo(40_000);
        assertThat(BrokerConnection.tcpReceiveBuffer(4096)).as("at least 16 KiB").isEqualTo(16 * 1024);
        assertThat(BrokerConnection.tcpReceiveBuffer(2 * 1024 * 1024)).as("at most 128 KiB").isEqualTo(128 * 1024);
        assertThat(BrokerConnection.tcpReceiveBuffer(0)).as("the broker's default").isEqualTo(128 * 1024);
    }
}
