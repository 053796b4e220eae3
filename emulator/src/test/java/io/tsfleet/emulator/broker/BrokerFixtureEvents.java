package io.tsfleet.emulator.broker;

import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.protocol.netlink.NetlinkMessage;

import java.util.List;

/** Reading exit events in tests. */
final class BrokerFixtureEvents {
    private BrokerFixtureEvents() {
    }

    static List<NetlinkMessage> events(BrokerTestClient c, List<NetlinkMessage> got) {
        return got.stream().filter(m -> m.type() == c.taskstatsFamily() && m.portId() == 0).toList();
    }

    /** The PID attribute of an exit event (offset 28: header 16, genl 4, nest 4, attr header 4). */
    static int pid(NetlinkMessage m) {
        return m.payloadBuffer().getInt(28 - 16);
    }
}
