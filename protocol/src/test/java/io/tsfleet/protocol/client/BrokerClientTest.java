package io.tsfleet.protocol.client;

import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkHeader;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The broker client against a real TCP server on an ephemeral loopback port: the tests' {@link FakeBroker} (dynamic
 * family ids, token authentication, per-CPU registration), which also writes arbitrary bytes to the client.
 */
class BrokerClientTest {
    private static final String TOKEN = "s3cret-token";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final int CPUS = 4;

    private FakeBroker broker;
    private BrokerClient client;

    @AfterEach
    void close() throws IOException {
        if (client != null) client.close();
        if (broker != null) broker.close();
    }

    private BrokerClient unconnected() throws IOException {
        broker = new FakeBroker(TOKEN, CPUS).start();
        client = BrokerClient.connect(address(), TIMEOUT, 4096);
        return client;
    }

    private BrokerClient connected(String token) throws IOException {
        unconnected().handshake(token, 0, false, () -> { });
        return client;
    }

    private BrokerAddress address() {
        return BrokerAddress.parse(broker.address());
    }

    private void push(byte[] bytes) throws IOException {
        broker.sendRaw(client.portId(), bytes);
    }

    @Test
    void theHandshakeResolvesTheFamiliesLearnsThePortIdAndAuthenticates() throws IOException {
        connected(TOKEN);

        assertThat(client.sockFamily()).isEqualTo(broker.sockFamily());
        assertThat(client.taskstatsFamily()).isEqualTo(broker.taskstatsFamily());
        assertThat(client.portId()).as("learned from the broker's answers").isNotZero();
        assertThat(client.authenticated()).isTrue();
        assertThat(client.receiveBuffer()).as("the broker's default").isEqualTo(SockProtocol.effectiveRcvbuf(SockProtocol.DEFAULT_RMEM / 2,
                SockProtocol.DEFAULT_RMEM, false));
    }

    @Test
    void theHandshakeLearnsTheBrokersNodeAndBootAndANewBootAfterARestart() throws IOException {
        broker = new FakeBroker(TOKEN, CPUS).node("worker-3.zone-a").start();
        client = BrokerClient.connect(address(), TIMEOUT, 4096);
        client.handshake(TOKEN, 0, false, () -> { });

        assertThat(client.node()).isEqualTo("worker-3.zone-a");
        assertThat(client.bootId()).isEqualTo(broker.bootId()).matches("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");
        assertThat(client.seqEpoch()).as("the epoch is the boot's").isEqualTo(SockProtocol.seqEpochOf(java.util.UUID.fromString(broker.bootId())));

        String firstBoot = broker.bootId();
        broker.restart();
        client.close();
        client = BrokerClient.connect(address(), TIMEOUT, 4096);
        client.handshake(TOKEN, 0, false, () -> { });
        assertThat(client.node()).isEqualTo("worker-3.zone-a");
        assertThat(client.bootId()).as("a restart is a reboot").isEqualTo(broker.bootId()).isNotEqualTo(firstBoot);
    }

    @Test
    void aBrokerThatDoesNotReportItsNodeLeavesNodeAndBootIdNull() throws IOException {
        broker = new FakeBroker(TOKEN, CPUS).node(null).start();
        client = BrokerClient.connect(address(), TIMEOUT, 4096);
        client.handshake(TOKEN, 0, false, () -> { });

        assertThat(client.node()).isNull();
        assertThat(client.bootId()).isNull();
        assertThat(client.seqEpoch()).as("the rest of the state is read as before").isNotZero();
    }

    @Test
    void aNodeNameThatIsNoDnsSubdomainEndsTheHandshake() throws IOException {
        broker = new FakeBroker(TOKEN, CPUS).node("Worker\"1\n").start();
        client = BrokerClient.connect(address(), TIMEOUT, 4096);

        assertThatThrownBy(() -> client.handshake(TOKEN, 0, false, () -> { }))
                .isInstanceOf(BrokerProtocolException.class)
                .hasMessageContaining("node name 'Worker\"1?'").hasMessageContaining("DNS subdomain");
        assertThat(client.node()).isNull();
    }

    @Test
    void aWrongTokenIsRefusedWithEperm() throws IOException {
        unconnected();

        assertThatThrownBy(() -> client.handshake("not-the-token", 0, false, () -> { }))
                .isInstanceOfSatisfying(BrokerRefusedException.class, e -> assertThat(e.error()).isEqualTo(Errno.EPERM.negative()))
                .hasMessageContaining("authentication").hasMessageContaining("EPERM");
    }

    @Test
    void aRefusedForcedReceiveBufferFallsBackToSoRcvbuf() throws IOException {
        unconnected().handshake(null, 100_000, true, () -> { });     // unauthenticated: SO_RCVBUFFORCE is -EPERM

        assertThat(client.receiveBuffer()).as("SO_RCVBUF, doubled as the kernel does")
                .isEqualTo(SockProtocol.effectiveRcvbuf(100_000, SockProtocol.DEFAULT_RMEM, false));
        assertThat(client.authenticated()).isFalse();
        assertThat(client.node()).as("not told to an unauthenticated connection").isNull();
        assertThat(client.bootId()).isNull();
    }

    @Test
    void registerAndDeregisterAreAcknowledged() throws IOException {
        connected(TOKEN);

        client.register("0-3", () -> { });
        assertThat(broker.cpusWithListeners()).containsExactlyInAnyOrder(0, 1, 2, 3);
        client.deregister("1", () -> { });

        assertThat(broker.cpusWithListeners()).containsExactlyInAnyOrder(0, 2, 3);
    }

    @Test
    void aRefusedRegisterThrowsWithTheErrnoAndRegistersNothing() throws IOException {
        connected(TOKEN);

        assertThatThrownBy(() -> client.register("7", () -> { }))
                .as("a CPU beyond nr_cpu_ids").isInstanceOfSatisfying(BrokerRefusedException.class, e -> assertThat(e.error()).isEqualTo(Errno.ERANGE.negative()))
                .hasMessageContaining("REGISTER_CPUMASK 7").hasMessageContaining("ERANGE");
        assertThatThrownBy(() -> client.register("0-x", () -> { }))
                .isInstanceOfSatisfying(BrokerRefusedException.class, e -> assertThat(e.error()).isEqualTo(Errno.EINVAL.negative()));
        assertThatThrownBy(() -> client.deregister("zero", () -> { }))
                .isInstanceOfSatisfying(BrokerRefusedException.class, e -> assertThat(e.error()).isEqualTo(Errno.EINVAL.negative()))
                .hasMessageContaining("DEREGISTER_CPUMASK zero");
        assertThat(broker.cpusWithListeners()).isEmpty();
    }

    @Test
    void eventsThatArriveBeforeAnAnswerAreHandedToUnattributedNotTakenForTheAnswer() throws Exception {
        connected(TOKEN);
        client.register("0", () -> { });
        broker.exit(0, 4242, "early", false);          // an event (port id 0) queued ahead of the next ack
        AtomicInteger unattributed = new AtomicInteger();

        client.deregister("0", unattributed::incrementAndGet);

        assertThat(unattributed).hasValue(1);
        assertThat(broker.cpusWithListeners()).isEmpty();
    }

    @Test
    void framesSplitAcrossReadsAreHandedOverWholeAndInOrder() throws Exception {
        connected(TOKEN);
        byte[] stream = concat(event(1), event(2), NetlinkError.overrun().toBytes(), event(3));
        List<Integer> seqs = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        BrokerClient.FrameVisitor collect = (buf, at, len) -> {
            seqs.add(NetlinkHeader.seq(buf, at));
            lengths.add(len);
            return true;
        };

        // the first event and half of the second: only the first is complete
        int cut = event(1).length + 100;
        push(Arrays.copyOfRange(stream, 0, cut));
        readUntil(collect, lengths, 1);
        assertThat(seqs).containsExactly(1);

        push(Arrays.copyOfRange(stream, cut, stream.length));
        readUntil(collect, lengths, 4);
        assertThat(seqs).containsExactly(1, 2, 0, 3);
        assertThat(lengths).containsExactly(event(1).length, event(2).length, NetlinkError.overrun().toBytes().length, event(3).length);
    }

    @Test
    void aVisitorThatStopsLeavesTheRestForTheNextVisit() throws Exception {
        connected(TOKEN);
        push(concat(event(1), event(2)));
        List<Integer> seqs = new ArrayList<>();
        while (seqs.isEmpty()) {
            client.read();
            client.visitFrames((buf, at, len) -> {
                seqs.add(NetlinkHeader.seq(buf, at));
                return false;
            });
        }
        NetlinkMessage next = client.receive(TIMEOUT);

        assertThat(seqs).containsExactly(1);
        assertThat(next.seq()).isEqualTo(2);
        assertThat(next.type()).isEqualTo(broker.taskstatsFamily());
    }

    @Test
    void aFrameLengthBelowTheHeaderEndsTheStream() throws Exception {
        connected(TOKEN);
        push(concat(event(1), le(8), new byte[12]));
        List<Integer> seqs = new ArrayList<>();

        assertThatThrownBy(() -> {
            while (true) {
                client.read();
                client.visitFrames((buf, at, len) -> seqs.add(NetlinkHeader.seq(buf, at)));
            }
        }).isInstanceOf(BrokerProtocolException.class).hasMessageContaining("malformed frame").hasMessageContaining("below the 16-byte header");
        assertThat(seqs).as("the whole frame before the bad one is still handed over").containsExactly(1);
    }

    @Test
    void aTruncatedFrameAtTheEndOfTheStreamIsNeverHandedOver() throws Exception {
        connected(TOKEN);
        byte[] e = event(1);
        push(Arrays.copyOf(e, e.length - 1));
        broker.disconnect(client.portId());
        List<Integer> seqs = new ArrayList<>();

        assertThatThrownBy(() -> {
            while (true) {
                client.read();
                client.visitFrames((buf, at, len) -> seqs.add(NetlinkHeader.seq(buf, at)));
            }
        }).isInstanceOf(EOFException.class);
        assertThat(seqs).isEmpty();
    }

    @Test
    void aFrameLongerThanTheMaximumEndsTheStream() throws Exception {
        broker = new FakeBroker(TOKEN, CPUS).start();
        client = BrokerClient.connect(address().socketAddress(), TIMEOUT, 4096, 0, 1024);
        client.handshake(TOKEN, 0, false, () -> { });
        push(concat(le(4096), new byte[12]));

        assertThatThrownBy(() -> client.receive(TIMEOUT)).isInstanceOf(BrokerProtocolException.class).hasMessageContaining("exceeds the maximum");
    }

    @Test
    void aTimedReadGivesUpAndAClosedConnectionIsSeen() throws Exception {
        connected(TOKEN);

        assertThatThrownBy(() -> client.receive(Duration.ofMillis(100))).isInstanceOf(SocketTimeoutException.class);
        assertThat(client.closedByPeerWithin(Duration.ofMillis(100))).isFalse();
        broker.disconnect(client.portId());
        assertThat(client.closedByPeerWithin(TIMEOUT)).isTrue();
    }

    @Test
    void rawRequestsAreSentAsTheyAre() throws Exception {
        connected(TOKEN);
        NetlinkMessage unknown = new NetlinkMessage(client.sockFamily(), 0x5, 777, 0, new byte[] {99, 1, 0, 0});

        client.send(unknown);
        NetlinkMessage ack = client.receive(TIMEOUT);

        assertThat(ack.seq()).isEqualTo(777);
        assertThat(ack.portId()).isEqualTo(client.portId());
        assertThat(ack.payloadBuffer().getInt(0)).as("an unknown TSFLEET_SOCK command").isEqualTo(Errno.EOPNOTSUPP.negative());
    }

    private void readUntil(BrokerClient.FrameVisitor visitor, List<?> seen, int count) throws IOException {
        while (seen.size() < count) {
            client.read();
            client.visitFrames(visitor);
        }
        assertThat(seen).hasSize(count);
    }

    private byte[] event(int seq) {
        return TaskstatsEvent.exit(seq, 1000 + seq, Taskstats.builder().comm("t" + seq).build()).encode(broker.taskstatsFamily()).toBytes();
    }

    private static byte[] le(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
