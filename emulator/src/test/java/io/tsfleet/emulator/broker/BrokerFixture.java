package io.tsfleet.emulator.broker;

import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.emulator.emulated.EmulatedBackend;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.emulated.kernel.KernelConfig;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;

/** An emulated kernel behind a real broker on an ephemeral port. */
final class BrokerFixture implements AutoCloseable {
    final EmulatedKernel kernel;
    final BrokerServer server;

    BrokerFixture(CpuSet possible, Duration partialFrameTimeout) throws IOException {
        this(possible, partialFrameTimeout, Duration.ZERO);
    }

    BrokerFixture(CpuSet possible, Duration partialFrameTimeout, Duration flushDelay) throws IOException {
        kernel = new EmulatedKernel(KernelConfig.of(256, possible), Clock.systemUTC());
        server = new BrokerServer(new EmulatedBackend(kernel),
                new BrokerSettings("127.0.0.1", 0, 2, 10_000, 128 * 1024, partialFrameTimeout, BrokerSettings.DEFAULT_TCP_SEND_BUFFER, flushDelay),
                Clock.systemUTC());
        server.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    BrokerTestClient client() throws IOException {
        return BrokerTestClient.open(address(), null);
    }

    /** A listener on {@code cpulist} with a receive buffer large enough to never overflow in these tests. */
    BrokerTestClient listener(String cpulist, boolean bigBuffer) throws IOException {
        BrokerTestClient c = client();
        if (bigBuffer && c.setOption(io.tsfleet.protocol.sock.SockProtocol.ATTR_RCVBUFFORCE, 256L << 20) != 0) {
            throw new IOException("RCVBUFFORCE refused");
        }
        int err = c.request(MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).string(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, cpulist)
                .build(c.taskstatsFamily(), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, 0)).errno();
        if (err != 0) throw new IOException("register " + cpulist + ": " + err);
        return c;
    }

    @Override
    public void close() {
        server.close();
    }
}
