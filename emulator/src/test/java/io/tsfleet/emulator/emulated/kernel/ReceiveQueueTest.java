package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code netlink_attachskb}/{@code netlink_overrun}/{@code netlink_rcv_wake} as a socket sees them. */
class ReceiveQueueTest {
    private static final byte[] EVENT = message(TaskstatsProtocol.EVENT_LENGTH);
    private static final byte[] TGID_EVENT = message(TaskstatsProtocol.EVENT_WITH_TGID_LENGTH);

    private static byte[] message(int len) {
        byte[] b = new byte[len];
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, len).putShort(4, (short) 31);
        return b;
    }

    @Test
    void truesizeMatchesTheMeasuredCharges() {
        assertThat(Truesize.of(596)).isEqualTo(1280);
        assertThat(Truesize.of(1172)).isEqualTo(2304);
    }

    @Test
    void defaultBufferHolds166EventsThenEnobufsOnceAheadOfTheDataAndStickyUntilDrained() {
        NetlinkSocket s = new NetlinkSocket(5, SockProtocol.DEFAULT_RMEM, () -> { });
        int queued = 0;
        for (int i = 0; i < 300; i++) if (s.deliver(EVENT).queued()) queued++;
        assertThat(queued).isEqualTo(166);
        assertThat(s.state().drops()).isEqualTo(134);
        assertThat(s.state().congested()).isTrue();

        List<NetlinkMessage> got = KernelHarness.read(s);
        assertThat(NetlinkError.isOverrun(got.getFirst())).as("ENOBUFS first").isTrue();
        assertThat(got).hasSize(167);
        assertThat(got.stream().filter(NetlinkError::isOverrun)).hasSize(1);
        assertThat(s.state().congested()).as("a drain that empties the queue ends the congestion").isFalse();
        assertThat(s.deliver(EVENT)).isEqualTo(Delivery.QUEUED);
    }

    @Test
    void congestionDropsEvenWhenRoomIsFreedUntilTheQueueIsEmpty() {
        NetlinkSocket s = new NetlinkSocket(5, 8000, () -> { }); // capacity 6
        for (int i = 0; i < 7; i++) s.deliver(EVENT);
        ByteBufferReader.readSome(s, 36 + 596); // the error and one event: room for one, but still congested
        assertThat(s.deliver(EVENT)).isEqualTo(Delivery.DROPPED_CONGESTED);
    }

    @Test
    void noEnobufsDropsOnlyWhileFullAndReportsNothing() {
        NetlinkSocket s = new NetlinkSocket(5, 8000, () -> { });
        s.setNoEnobufs(true);
        for (int i = 0; i < 7; i++) s.deliver(EVENT);
        assertThat(s.state().drops()).isEqualTo(1);
        ByteBufferReader.readSome(s, 596);
        assertThat(s.deliver(EVENT)).as("one slot freed: one event gets in").isEqualTo(Delivery.QUEUED);
        assertThat(KernelHarness.read(s)).noneMatch(NetlinkError::isOverrun);
    }

    @Test
    void anEmptyQueueAlwaysTakesOneMessageAndTgidEventsChargeMore() {
        NetlinkSocket s = new NetlinkSocket(5, SockProtocol.effectiveRcvbuf(1, SockProtocol.DEFAULT_RMEM, false), () -> { });
        assertThat(s.deliver(TGID_EVENT)).isEqualTo(Delivery.QUEUED);
        assertThat(s.deliver(EVENT)).isEqualTo(Delivery.DROPPED_RCVBUF_FULL);
        assertThat(s.state().rmem()).isEqualTo(2304);
    }

    @Test
    void closedSocketRefuses() {
        NetlinkSocket s = new NetlinkSocket(5, SockProtocol.DEFAULT_RMEM, () -> { });
        s.close();
        assertThat(s.deliver(EVENT)).isEqualTo(Delivery.REFUSED);
    }

    @Test
    void pausedReaderHoldsTheQueueAndTheResumeMarkerFollowsTheDrain() {
        NetlinkSocket s = new NetlinkSocket(5, SockProtocol.DEFAULT_RMEM, () -> { });
        s.deliver(EVENT);
        s.setRecvPaused(true, false, 1);
        s.deliver(EVENT);
        assertThat(KernelHarness.read(s)).as("what was queued before the pause still leaves").hasSize(1);
        assertThat(KernelHarness.read(s)).isEmpty();
        s.setRecvPaused(false, false, 77);
        List<NetlinkMessage> got = KernelHarness.read(s);
        assertThat(got).hasSize(2);
        assertThat(got.get(1).type()).isEqualTo(io.tsfleet.protocol.netlink.Netlink.NLMSG_NOOP);
        assertThat(got.get(1).seq()).isEqualTo(77);
    }

    /** Reads a bounded number of bytes, as a client with a small recv buffer. */
    static final class ByteBufferReader {
        static void readSome(NetlinkSocket s, int bytes) {
            s.drainTo(java.nio.ByteBuffer.allocate(bytes));
        }
    }
}
