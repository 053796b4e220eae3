package io.tsfleet.emulator.live.netlink;

import io.tsfleet.emulator.live.LiveKernel;
import io.tsfleet.emulator.live.PinnedExits;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The FFM netlink socket against the live kernel (skipped without root/TASKSTATS). */
class LiveNetlinkSocketTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final AtomicInteger SEQ = new AtomicInteger(100);
    private ResolvedFamily taskstats;

    @BeforeEach
    void liveKernel() {
        taskstats = LiveKernel.assumeAvailable();
    }

    @Test
    void kernelAutobindsDistinctNonZeroPortIds() throws IOException {
        try (LiveNetlinkSocket a = LiveNetlinkSocket.open(); LiveNetlinkSocket b = LiveNetlinkSocket.open()) {
            assertThat(a.portId()).isNotZero();
            assertThat(b.portId()).isNotZero().isNotEqualTo(a.portId());
        }
    }

    @Test
    void controllerDescribesTheTaskstatsFamily() throws IOException {
        try (LiveNetlinkSocket s = LiveNetlinkSocket.open()) {
            ResolvedFamily f = GenlController.byName(s, TaskstatsProtocol.FAMILY_NAME, TIMEOUT).orElseThrow();
            assertThat(f.id()).isGreaterThan(Netlink.GENL_ID_CTRL);
            assertThat(f.version()).isEqualTo(1);
            assertThat(f.operations()).containsExactly(new ResolvedFamily.Operation(1, 0x0b), new ResolvedFamily.Operation(4, 0x0a));
            assertThat(GenlController.byId(s, f.id(), TIMEOUT)).contains(f);
            assertThat(GenlController.byName(s, SockProtocol.FAMILY_NAME, TIMEOUT)).isEmpty();
        }
    }

    @Test
    void registeredSocketReceivesThe596ByteEventOfAnExitOnItsCpuUntilItDeregisters() throws IOException {
        try (LiveNetlinkSocket s = LiveNetlinkSocket.open()) {
            NetlinkExchange reg = NetlinkExchange.run(s, cpumask(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, "0"), TIMEOUT, TIMEOUT);
            NetlinkError ack = reg.error().orElseThrow();
            assertThat(ack.error()).isZero();

            long pid = PinnedExits.exitOn(0);
            NetlinkMessage event = awaitExitOf(s, pid, TIMEOUT).orElseThrow(() -> new AssertionError("no event for pid " + pid));
            assertThat(event.length()).isEqualTo(TaskstatsProtocol.EVENT_LENGTH);
            assertThat(event.type()).isEqualTo(taskstats.id());
            assertThat(event.flags()).isZero();
            assertThat(event.portId()).isZero();
            TaskstatsEvent decoded = decode(event);
            assertThat(decoded.tgid()).isEmpty();
            var stats = decoded.pid().orElseThrow().stats();
            assertThat(stats.version()).isGreaterThanOrEqualTo(16);
            assertThat(stats.comm()).isEqualTo(PinnedExits.COMM);
            assertThat(stats.get(TaskstatsField.AC_FLAG) & TaskstatsProtocol.AGROUP).isEqualTo(TaskstatsProtocol.AGROUP);

            NetlinkExchange dereg = NetlinkExchange.run(s, cpumask(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK, "0"), TIMEOUT, TIMEOUT);
            assertThat(dereg.errno()).contains(0);
            long after = PinnedExits.exitOn(0);
            assertThat(awaitExitOf(s, after, Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void ackCarriesRequestSeqAndOwnPortIdAndErrorsEchoTheRequest() throws IOException {
        try (LiveNetlinkSocket s = LiveNetlinkSocket.open()) {
            NetlinkMessage bad = cpumask(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, "x");
            NetlinkExchange ex = NetlinkExchange.run(s, bad, TIMEOUT, TIMEOUT);
            NetlinkError err = ex.error().orElseThrow();
            assertThat(err.error()).isEqualTo(Errno.EINVAL.negative());
            assertThat(err.requestSeq()).isEqualTo(bad.seq());
            assertThat(err.echoedPayload()).isEqualTo(bad.payload());
        }
    }

    @Test
    void receiveBufferAndNoEnobufsMapToRealSocketOptions() throws IOException {
        try (LiveNetlinkSocket s = LiveNetlinkSocket.open()) {
            s.setReceiveBuffer(1, false);
            assertThat(s.receiveBuffer()).isEqualTo(SockProtocol.MIN_RCVBUF);
            s.setReceiveBuffer(16384, false);
            assertThat(s.receiveBuffer()).isEqualTo(32768);
            int rmemMax = Integer.parseInt(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/core/rmem_max")).getFirst().trim());
            s.setReceiveBuffer(rmemMax + 1000, false);
            assertThat(s.receiveBuffer()).isEqualTo(2 * rmemMax);
            s.setReceiveBuffer(rmemMax + 1000, true);
            assertThat(s.receiveBuffer()).isEqualTo(2 * (rmemMax + 1000));
            assertThat(s.noEnobufs()).isFalse();
            s.setNoEnobufs(true);
            assertThat(s.noEnobufs()).isTrue();
        }
    }

    @Test
    void aFullQueueRaisesEnobufsOnceAheadOfTheQueuedEvent() throws IOException {
        try (LiveNetlinkSocket s = LiveNetlinkSocket.open()) {
            s.setReceiveBuffer(1, false);
            assertThat(NetlinkExchange.run(s, cpumask(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, "0"), TIMEOUT, TIMEOUT).errno()).contains(0);
            for (int i = 0; i < 3; i++) PinnedExits.exitOn(0);

            assertThat(s.tryReceive()).isInstanceOf(Received.Overrun.class);
            assertThat(s.tryReceive()).isInstanceOf(Received.Datagram.class);
            // a one-event queue: the other exits were dropped (foreign exits may arrive from now on)
            assertThat(s.receiveBuffer()).isEqualTo(SockProtocol.MIN_RCVBUF);
            NetlinkExchange.run(s, cpumask(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK, "0"), TIMEOUT, TIMEOUT);
        }
    }

    @Test
    void closeWakesAWaitingReceiverAndLaterCallsFailClearly() throws Exception {
        LiveNetlinkSocket s = LiveNetlinkSocket.open();
        List<Received> got = new ArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                got.add(s.receive(Duration.ofSeconds(30)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        long start = System.nanoTime();
        s.close();
        reader.join(5000);
        assertThat(reader.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(got).containsExactly(Received.CLOSED);
        assertThat(s.tryReceive()).isEqualTo(Received.CLOSED);
        assertThatThrownBy(() -> s.send(cpumask(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, "0")))
                .isInstanceOf(IOException.class).hasMessageContaining("closed");
        s.close();
    }

    private NetlinkMessage cpumask(int attr, String cpulist) {
        return MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).string(attr, cpulist)
                .build(taskstats.id(), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, SEQ.incrementAndGet(), 0);
    }

    /** Reads until the exit event of {@code pid} (foreign exits of other processes on the CPU are skipped). */
    private Optional<NetlinkMessage> awaitExitOf(LiveNetlinkSocket s, long pid, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Received r = s.receive(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (!(r instanceof Received.Datagram d)) continue;
            for (NetlinkMessage m : NetlinkExchange.split(d)) {
                if (m.type() == taskstats.id() && decode(m).pid().map(a -> a.id() == pid).orElse(false)) return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    private static TaskstatsEvent decode(NetlinkMessage m) {
        try {
            return TaskstatsEvent.decode(m);
        } catch (Exception e) {
            throw new AssertionError("event does not decode: " + e, e);
        }
    }
}
