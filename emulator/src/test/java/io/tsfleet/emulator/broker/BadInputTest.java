package io.tsfleet.emulator.broker;

import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.emulator.emulated.kernel.ExitSpec;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Garbage, truncated and oversized frames, slowloris and request floods never disturb other connections. */
class BadInputTest {

    @Test
    void badConnectionsAreClosedAndCountedWhileAListenerKeepsItsStream() throws Exception {
        try (BrokerFixture f = new BrokerFixture(CpuSet.of(0, 1), Duration.ofMillis(400))) {
            BrokerTestClient healthy = f.listener("0-1", true);
            List<Integer> expected = new ArrayList<>();
            expected.add(f.kernel.exit(ExitSpec.simple(0)).tgid());

            // a huge nlmsg_len, a length below the header, and random bytes: closed right away
            assertThat(closedAfterSending(f, frameHeader(0x7FFF_FFF0, 0x1A))).isTrue();
            assertThat(closedAfterSending(f, frameHeader(8, 0x1A))).isTrue();
            SplittableRandom r = new SplittableRandom(11);
            for (int i = 0; i < 20; i++) {
                byte[] junk = new byte[1 + r.nextInt(70_000)];
                for (int k = 0; k < junk.length; k++) junk[k] = (byte) r.nextInt(256);
                try (Socket s = new Socket("127.0.0.1", f.server.port())) {
                    s.setSoTimeout(3_000);
                    s.getOutputStream().write(junk);
                    // answered with errors (if the junk parsed as requests) or closed; never a hang of the broker
                    drainOrClosed(s);
                } catch (java.net.SocketException closed) {
                    // the broker closed first: fine
                }
                expected.add(f.kernel.exit(ExitSpec.simple(i & 1)).tgid());
            }

            // slowloris: part of a header, then silence: closed after the partial-frame timeout
            long before = f.server.stats().slowlorisClosed();
            try (Socket s = new Socket("127.0.0.1", f.server.port())) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write(new byte[] {(byte) 0x40, 0, 0, 0, 0x1A, 0, 5, 0});
                assertThat(s.getInputStream().read()).as("closed by the broker").isEqualTo(-1);
            }
            assertThat(f.server.stats().slowlorisClosed()).isEqualTo(before + 1);

            // a truncated frame followed by close: nothing happens
            try (Socket s = new Socket("127.0.0.1", f.server.port())) {
                s.getOutputStream().write(java.util.Arrays.copyOf(frameHeader(100, 0x10), 40));
            }

            // a flood of requests whose answers are not read: only its own replies drop
            try (BrokerTestClient flood = f.client()) {
                assertThat(flood.pauseReading()).isZero(); // it stops reading: nothing leaves its queue (no TCP slack)
                NetlinkMessage get = MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).u32(TaskstatsProtocol.CMD_ATTR_PID, 1)
                        .build(flood.taskstatsFamily(), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 5, 0);
                byte[] one = get.toBytes();
                ByteBuffer many = ByteBuffer.allocate(one.length * 2000);
                for (int i = 0; i < 2000; i++) many.put(one);
                flood.sendBytes(many.array());
                expected.add(f.kernel.exit(ExitSpec.simple(1)).tgid());
                List<NetlinkMessage> answers = flood.resumeAndReadAll(); // handled in order: after all 2000 requests
                assertThat(io.tsfleet.protocol.netlink.NetlinkError.isOverrun(answers.getFirst())).as("its ENOBUFS comes first").isTrue();
                assertThat(answers.size()).as("most answers were dropped").isLessThan(4000);
            }

            List<NetlinkMessage> got = BrokerFixtureEvents.events(healthy, healthy.drainUntilBarrier());
            assertThat(got.stream().map(BrokerFixtureEvents::pid).toList()).as("the listener lost nothing").isEqualTo(expected);
            assertThat(f.server.stats().malformedFrames()).isGreaterThanOrEqualTo(2);
            assertThat(f.kernel.counters().repliesDropped()).as("the flood's unread replies overflowed its own queue").isPositive();
        }
    }

    private static byte[] frameHeader(int nlmsgLen, int type) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(nlmsgLen).putShort((short) type)
                .putShort((short) Netlink.NLM_F_REQUEST).putInt(1).putInt(0).array();
    }

    private static boolean closedAfterSending(BrokerFixture f, byte[] bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", f.server.port())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            return s.getInputStream().read() == -1;
        }
    }

    private static void drainOrClosed(Socket s) throws Exception {
        s.shutdownOutput();
        byte[] sink = new byte[65536];
        try {
            while (s.getInputStream().read(sink) >= 0) {
                // replies to whatever parsed
            }
        } catch (java.net.SocketTimeoutException e) {
            // the broker answered what it could and waits for more: the connection is alive but harmless
        }
    }
}
