package io.tsfleet.emulator.live;

import io.tsfleet.emulator.live.netlink.ResolvedFamily;
import io.tsfleet.emulator.live.netlink.LiveNetlinkSocket;
import io.tsfleet.emulator.live.netlink.NetlinkExchange;
import io.tsfleet.emulator.live.netlink.Received;
import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.U32;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static io.tsfleet.emulator.live.Conversation.ask;
import static io.tsfleet.emulator.live.Conversation.awaitExitOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kernel backend through the broker SPI, against the live kernel (skipped without root/TASKSTATS). */
class KernelBackendTest {
    private static final Duration QUIET = Duration.ofMillis(300);
    private ResolvedFamily taskstats;
    private KernelBackend backend;

    @BeforeEach
    void start() throws IOException {
        taskstats = LiveKernel.assumeAvailable();
        backend = KernelBackend.start(KernelBackendSettings.withToken(null), LiveSystem.read(LiveSystem.SYSFS_CPU), LiveKernel.node(), SpiClient.ROOT_PEER);
    }

    @AfterEach
    void stop() {
        if (backend != null) backend.close();
    }

    @Test
    void controllerResolvesTheKernelsTaskstatsAndTheBackendsSockFamilyAndHidesOthers() throws Exception {
        try (SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK)) {
            Conversation.Answer ts = ask(c, Requests.getFamily(TaskstatsProtocol.FAMILY_NAME));
            assertThat(ts.errno()).isZero();
            assertThat(ResolvedFamily.decode(ts.replies().getFirst())).isEqualTo(taskstats);

            Conversation.Answer sock = ask(c, Requests.getFamily(SockProtocol.FAMILY_NAME));
            assertThat(sock.errno()).isZero();
            ResolvedFamily sf = ResolvedFamily.decode(sock.replies().getFirst());
            assertThat(sf.id()).isEqualTo(KernelBackendSettings.DEFAULT_SOCK_FAMILY_ID).isGreaterThan(KernelBackendSettings.GENL_MAX_ID);
            assertThat(sf.operations()).extracting(ResolvedFamily.Operation::cmd)
                    .containsExactly((long) SockProtocol.CMD_GET, (long) SockProtocol.CMD_SET, (long) SockProtocol.CMD_AUTH);
            assertThat(sock.replies().getFirst().portId()).isEqualTo(c.portId());

            assertThat(ask(c, Requests.getFamily("nlctrl")).errno()).isZero();
            assertThat(ask(c, Requests.getFamily("devlink")).errno()).isEqualTo(Errno.ENOENT.negative());
            assertThat(ask(c, Requests.getFamily("NO_SUCH_FAMILY")).errno()).isEqualTo(Errno.ENOENT.negative());
            NetlinkMessage toOtherFamily = MessageBuilder.genl(1, 1).build(1000, Requests.REQUEST_ACK, Requests.nextSeq(), 0);
            assertThat(ask(c, toOtherFamily).errno()).isEqualTo(Errno.ENOENT.negative());
        }
    }

    @Test
    void getFamilyDumpListsExactlyTheTwoServedFamilies() throws Exception {
        try (SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK)) {
            c.send(MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).build(Netlink.GENL_ID_CTRL, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, 9, 0));
            List<NetlinkMessage> dump = c.readUntilQuiet(QUIET);
            assertThat(dump).hasSize(3);
            assertThat(ResolvedFamily.decode(dump.get(0)).name()).isEqualTo(TaskstatsProtocol.FAMILY_NAME);
            assertThat(ResolvedFamily.decode(dump.get(1)).name()).isEqualTo(SockProtocol.FAMILY_NAME);
            assertThat(dump.get(2).type()).isEqualTo(Netlink.NLMSG_DONE);
            assertThat(dump).allSatisfy(m -> assertThat(m.hasFlag(Netlink.NLM_F_MULTI)).isTrue());
        }
    }

    @Test
    void registrationThroughTheBackendDeliversTheKernelsEventByteForByte() throws Exception {
        try (SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK);
             LiveNetlinkSocket direct = LiveNetlinkSocket.open()) {
            Conversation.Answer reg = ask(c, Requests.register(taskstats.id(), "0"));
            assertThat(reg.errno()).isZero();
            assertThat(reg.error().requestSeq()).isNotZero();
            assertThat(NetlinkExchange.run(direct, Requests.register(taskstats.id(), "0"), Conversation.TIMEOUT, QUIET).errno()).contains(0);

            long pid = PinnedExits.exitOn(0);
            NetlinkMessage viaBroker = awaitExitOf(c, taskstats.id(), pid, Conversation.TIMEOUT).orElseThrow();
            NetlinkMessage viaSocket = directExitOf(direct, pid);
            assertThat(viaBroker.toBytes()).isEqualTo(viaSocket.toBytes());
            assertThat(viaBroker.length()).isEqualTo(TaskstatsProtocol.EVENT_LENGTH);
            assertThat(Conversation.event(viaBroker).pid().orElseThrow().stats().comm()).isEqualTo(PinnedExits.COMM);

            assertThat(ask(c, Requests.deregister(taskstats.id(), "0")).errno()).isZero();
            assertThat(NetlinkExchange.run(direct, Requests.deregister(taskstats.id(), "0"), Conversation.TIMEOUT, QUIET).errno()).contains(0);
        }
    }

    @Test
    void backendAnswersStayInRequestOrderBehindKernelAnswers() throws Exception {
        try (SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK)) {
            NetlinkMessage toKernel = Requests.deregister(taskstats.id(), "0");
            NetlinkMessage toBackend = Requests.sockGet(backend.sockFamilyId());
            NetlinkMessage toKernelAgain = Requests.deregister(taskstats.id(), "x");
            c.send(toKernel);
            c.send(toBackend);
            c.send(toKernelAgain);
            List<NetlinkMessage> out = c.readUntilQuiet(QUIET);
            assertThat(out).extracting(NetlinkMessage::seq)
                    .containsExactly(toKernel.seq(), toBackend.seq(), toBackend.seq(), toKernelAgain.seq());
            assertThat(out.get(1).type()).isEqualTo(backend.sockFamilyId());
            assertThat(NetlinkError.decode(out.get(3)).error()).isEqualTo(Errno.EINVAL.negative());
        }
    }

    @Test
    void sockFamilyMapsToRealSocketOptionsAndReportsThePortId() throws Exception {
        try (SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK)) {
            int sock = backend.sockFamilyId();
            assertThat(ask(c, Requests.sockSetRcvbuf(sock, 16384, false)).errno()).isZero();
            assertThat(ask(c, Requests.sockSetNoEnobufs(sock, true)).errno()).isZero();
            AttributeList got = GenlMessage.of(ask(c, Requests.sockGet(sock)).replies().getFirst()).attributes(true);
            assertThat(got.require(SockProtocol.ATTR_RCVBUF).u32()).isEqualTo(32768);
            assertThat(got.require(SockProtocol.ATTR_NO_ENOBUFS).u32()).isEqualTo(1);
            assertThat(got.require(SockProtocol.ATTR_PORT_ID).u32()).isEqualTo(U32.toLong(c.portId()));
            assertThat(got.require(SockProtocol.ATTR_AUTHENTICATED).u32()).isEqualTo(1);
            assertThat(got.require(SockProtocol.ATTR_RMEM).u32()).isZero();
            assertThat(got.require(SockProtocol.ATTR_DROPS).value()).hasSize(8);
            long epoch = got.require(SockProtocol.ATTR_SEQ_EPOCH).valueBuffer().getLong(0);
            assertThat(epoch).as("the boot's sequence epoch").isNotZero().isEqualTo(LiveSystem.seqEpoch(LiveSystem.BOOT_ID));

            NetlinkMessage shortValue = MessageBuilder.genl(SockProtocol.CMD_SET, 1).attribute(SockProtocol.ATTR_RCVBUF, new byte[] {1, 0})
                    .build(sock, Requests.REQUEST_ACK, Requests.nextSeq(), 0);
            assertThat(ask(c, shortValue).errno()).isEqualTo(Errno.ERANGE.negative());
            NetlinkMessage empty = MessageBuilder.genl(SockProtocol.CMD_SET, 1).build(sock, Requests.REQUEST_ACK, Requests.nextSeq(), 0);
            assertThat(ask(c, empty).errno()).isEqualTo(Errno.EINVAL.negative());
            NetlinkMessage unknownCmd = MessageBuilder.genl(77, 1).build(sock, Requests.REQUEST_ACK, Requests.nextSeq(), 0);
            assertThat(ask(c, unknownCmd).errno()).isEqualTo(Errno.EOPNOTSUPP.negative());
            AttributeList after = GenlMessage.of(ask(c, Requests.sockGet(sock)).replies().getFirst()).attributes(true);
            assertThat(after.require(SockProtocol.ATTR_RCVBUF).u32()).isEqualTo(32768);
        }
    }

    @Test
    void aClientThatDoesNotReadLeavesNothingInTheKernelQueueUpToItsBacklog() throws Exception {
        try (SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK)) {
            int sock = backend.sockFamilyId();
            // SO_RCVBUF 4000 -> 8000: the kernel queue holds 6 events, the backlog (16 MiB) thousands
            assertThat(ask(c, Requests.sockSetRcvbuf(sock, 4000, false)).errno()).isZero();
            assertThat(ask(c, Requests.register(taskstats.id(), "0")).errno()).isZero();
            java.util.Set<Long> own = new java.util.HashSet<>();
            for (int i = 0; i < 20; i++) own.add(PinnedExits.exitOn(0));
            // nothing has been read by the client so far: the backend took the events off the kernel queue as they came

            List<NetlinkMessage> all = c.readUntilQuiet(QUIET);
            assertThat(all).noneMatch(NetlinkError::isOverrun);
            assertThat(all.stream().filter(m -> m.type() == taskstats.id())
                    .map(m -> Conversation.event(m).pid().orElseThrow().id()).filter(own::contains).distinct()).hasSize(own.size());
            AttributeList state = GenlMessage.of(ask(c, Requests.sockGet(sock)).replies().getFirst()).attributes(true);
            assertThat(state.require(SockProtocol.ATTR_DROPS).valueBuffer().getLong(0)).isZero();
            assertThat(ask(c, Requests.deregister(taskstats.id(), "0")).errno()).isZero();
        }
    }

    @Test
    void beyondTheBacklogTheKernelQueueFillsAndItsEnobufsComesInBandAheadOfTheQueuedEvents() throws Exception {
        // a backlog of one event: beyond it the events wait in the kernel's queue of one event, and the rest overflow
        restartWith(new KernelBackendSettings(null, KernelBackendSettings.DEFAULT_SOCK_FAMILY_ID, 0, 1, 1));
        try (SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK)) {
            assertThat(ask(c, Requests.sockSetRcvbuf(backend.sockFamilyId(), 1, false)).errno()).isZero();
            assertThat(ask(c, Requests.register(taskstats.id(), "0")).errno()).isZero();
            java.util.Set<Long> own = new java.util.HashSet<>();
            for (int i = 0; i < 6; i++) own.add(PinnedExits.exitOn(0));

            List<NetlinkMessage> all = c.readUntilQuiet(QUIET);
            int overrunAt = 0;
            while (overrunAt < all.size() && !NetlinkError.isOverrun(all.get(overrunAt))) overrunAt++;
            assertThat(overrunAt).as("an overrun in %s", all).isLessThan(all.size());
            assertThat(all.get(overrunAt).toBytes()).isEqualTo(NetlinkError.overrun().toBytes());
            assertThat(overrunAt).as("at most the backlog's event comes before the report").isLessThanOrEqualTo(1);
            assertThat(all.subList(overrunAt + 1, all.size())).as("the kernel's queued event follows the report")
                    .anyMatch(m -> m.type() == taskstats.id());
            assertThat(all.stream().filter(m -> m.type() == taskstats.id())
                    .filter(m -> own.contains(Conversation.event(m).pid().orElseThrow().id()))).hasSizeLessThan(own.size());

            AttributeList state = GenlMessage.of(ask(c, Requests.sockGet(backend.sockFamilyId())).replies().getFirst()).attributes(true);
            assertThat(state.require(SockProtocol.ATTR_DROPS).valueBuffer().getLong(0)).isGreaterThanOrEqualTo(2);
            assertThat(ask(c, Requests.deregister(taskstats.id(), "0")).errno()).isZero();
        }
    }

    @Test
    void aConnectionIsServedAtItsClientsPaceWhileOthersHoldTheWholeBacklog() throws Exception {
        restartWith(new KernelBackendSettings(null, KernelBackendSettings.DEFAULT_SOCK_FAMILY_ID, 0, 600, 600));
        try (SpiClient idle = new SpiClient(backend, RecordingConnection.LOOPBACK);
             SpiClient reader = new SpiClient(backend, RecordingConnection.LOOPBACK)) {
            assertThat(ask(idle, Requests.register(taskstats.id(), "0")).errno()).isZero();
            for (int i = 0; i < 3; i++) PinnedExits.exitOn(0);      // the idle client's backlog takes the whole total
            assertThat(ask(reader, Requests.register(taskstats.id(), "0")).errno()).isZero();
            reader.connection().awaitOutputSignal(0);
            long pid = PinnedExits.exitOn(0);
            assertThat(reader.connection().awaitOutputSignal(5_000)).as("the server is told to serve the reader").isTrue();
            assertThat(awaitExitOf(reader, taskstats.id(), pid, Conversation.TIMEOUT)).isPresent();
        }
    }

    @Test
    void theReceiveBufferFloorHoldsForNewSocketsAndAgainstSmallerRequests() throws Exception {
        int floor = 1 << 20;
        restartWith(new KernelBackendSettings(null, KernelBackendSettings.DEFAULT_SOCK_FAMILY_ID, floor,
                KernelBackendSettings.DEFAULT_BACKLOG_BYTES, KernelBackendSettings.DEFAULT_BACKLOG_TOTAL_BYTES));
        try (SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK)) {
            int sock = backend.sockFamilyId();
            assertThat(rcvbuf(c, sock)).as("a new socket").isEqualTo(floor);
            assertThat(ask(c, Requests.sockSetRcvbuf(sock, 4000, false)).errno()).isZero();
            assertThat(rcvbuf(c, sock)).as("after a smaller request").isEqualTo(floor);
            assertThat(ask(c, Requests.sockSetRcvbuf(sock, floor, true)).errno()).isZero();
            assertThat(rcvbuf(c, sock)).as("a larger request is the kernel's (doubled)").isEqualTo(2 * floor);
        }
    }

    /** Replaces the default backend of this test with one of other settings. */
    private void restartWith(KernelBackendSettings settings) throws IOException {
        backend.close();
        backend = KernelBackend.start(settings, LiveSystem.read(LiveSystem.SYSFS_CPU), LiveKernel.node(), SpiClient.ROOT_PEER);
    }

    private static long rcvbuf(SpiClient c, int sock) throws Exception {
        return GenlMessage.of(ask(c, Requests.sockGet(sock)).replies().getFirst()).attributes(true).require(SockProtocol.ATTR_RCVBUF).u32();
    }

    @Test
    void recvPausedLeavesEventsInTheKernelQueueToOverflowThereUntilResumeMarksTheDrainedPoint() throws Exception {
        try (SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK)) {
            int sock = backend.sockFamilyId();
            assertThat(ask(c, Requests.sockSetRcvbuf(sock, 4000, false)).errno()).isZero();
            assertThat(ask(c, Requests.register(taskstats.id(), "0")).errno()).isZero();
            assertThat(ask(c, recvPaused(sock, true)).errno()).isZero();
            for (int i = 0; i < 10; i++) PinnedExits.exitOn(0);
            assertThat(c.next(QUIET)).as("nothing leaves a paused socket").isEmpty();

            NetlinkMessage resume = recvPaused(sock, false);
            c.send(resume);
            List<NetlinkMessage> all = c.readUntilQuiet(QUIET);
            // foreign exits that arrive after the drain follow the marker
            int markerAt = 0;
            while (markerAt < all.size() && !(all.get(markerAt).type() == Netlink.NLMSG_NOOP && all.get(markerAt).seq() == resume.seq())) markerAt++;
            assertThat(markerAt).as("NOOP marker in %s", all).isLessThan(all.size());
            List<NetlinkMessage> out = all.subList(0, markerAt + 1);
            assertThat(NetlinkError.isOverrun(out.getFirst())).isTrue();
            int ackAt = 0;
            while (ackAt < out.size() && !(out.get(ackAt).type() == Netlink.NLMSG_ERROR && out.get(ackAt).seq() == resume.seq())) ackAt++;
            // SO_RCVBUF 4000 -> 8000 holds floor(7999 / 1280) = 6 events; congestion kept the rest out until the drain
            assertThat(out.subList(1, ackAt)).hasSize(SockProtocol.queueCapacity(8000, TaskstatsProtocol.EVENT_TRUESIZE))
                    .allSatisfy(m -> assertThat(m.type()).isEqualTo(taskstats.id()));
            NetlinkMessage ack = out.get(ackAt);
            assertThat(NetlinkError.decode(ack).error()).isZero();
            assertThat(ackAt).as("the marker follows the ack: the resume read found the queue empty").isEqualTo(out.size() - 2);
            NetlinkMessage marker = out.getLast();
            assertThat(marker.type()).isEqualTo(Netlink.NLMSG_NOOP);
            assertThat(marker.seq()).isEqualTo(resume.seq());
            assertThat(marker.portId()).isEqualTo(c.portId());
            assertThat(marker.length()).isEqualTo(Netlink.NLMSG_HDRLEN);

            AttributeList state = GenlMessage.of(ask(c, Requests.sockGet(sock)).replies().getFirst()).attributes(true);
            assertThat(state.require(SockProtocol.ATTR_RECV_PAUSED).u32()).isZero();
            assertThat(state.require(SockProtocol.ATTR_DROPS).valueBuffer().getLong(0)).isGreaterThanOrEqualTo(4);
            assertThat(ask(c, Requests.deregister(taskstats.id(), "0")).errno()).isZero();
        }
    }

    private static NetlinkMessage recvPaused(int sock, boolean paused) {
        return MessageBuilder.genl(SockProtocol.CMD_SET, 1).u32(SockProtocol.ATTR_RECV_PAUSED, paused ? 1 : 0)
                .build(sock, Requests.REQUEST_ACK, Requests.nextSeq(), 0);
    }

    @Test
    void closingAConnectionDeregistersSoAReusedPortIdInheritsNothing() throws Exception {
        int portId;
        try (SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK)) {
            portId = c.portId();
            assertThat(ask(c, Requests.register(taskstats.id(), "0")).errno()).isZero();
        }
        try (LiveNetlinkSocket reuser = LiveNetlinkSocket.openBound(portId)) {
            long pid = PinnedExits.exitOn(0);
            assertThat(receivedExitOf(reuser, pid)).as("events for the closed connection's port id").isFalse();
        }
    }

    @Test
    void withoutTheBackendAKernelSocketClosedWhileRegisteredLeaksItsEventsToAPortIdReuser() throws Exception {
        int portId;
        try (LiveNetlinkSocket leaver = LiveNetlinkSocket.open()) {
            portId = leaver.portId();
            assertThat(NetlinkExchange.run(leaver, Requests.register(taskstats.id(), "0"), Conversation.TIMEOUT, QUIET).errno()).contains(0);
        }
        try (LiveNetlinkSocket reuser = LiveNetlinkSocket.openBound(portId)) {
            long pid = PinnedExits.exitOn(0);
            assertThat(receivedExitOf(reuser, pid)).as("the kernel's port-id reuse hazard the backend guards against").isTrue();
            NetlinkExchange.run(reuser, Requests.deregister(taskstats.id(), "0"), Conversation.TIMEOUT, QUIET);
        }
    }

    @Test
    void withATokenConnectionsAreUnprivilegedUntilTheyAuthenticate() throws Exception {
        backend.close();
        backend = KernelBackend.start(KernelBackendSettings.withToken("s3cret"), LiveSystem.read(LiveSystem.SYSFS_CPU), LiveKernel.node(), SpiClient.ROOT_PEER);
        int sock = backend.sockFamilyId();
        try (SpiClient c = new SpiClient(backend, RecordingConnection.REMOTE)) {
            Conversation.Answer denied = ask(c, Requests.register(taskstats.id(), "0"));
            assertThat(denied.errno()).isEqualTo(Errno.EPERM.negative());
            assertThat(denied.error().echoedPayload()).hasSize(denied.error().requestLength() - Netlink.NLMSG_HDRLEN);
            assertThat(ask(c, Requests.sockSetRcvbuf(sock, 1 << 20, true)).errno()).isEqualTo(Errno.EPERM.negative());
            assertThat(ask(c, Requests.auth(sock, "wrong")).errno()).isEqualTo(Errno.EPERM.negative());
            assertThat(ask(c, Requests.register(taskstats.id(), "0")).errno()).isEqualTo(Errno.EPERM.negative());
            assertThat(ask(c, Requests.auth(sock, "s3cret")).errno()).isZero();
            assertThat(ask(c, Requests.register(taskstats.id(), "0")).errno()).isZero();
            assertThat(ask(c, Requests.deregister(taskstats.id(), "0")).errno()).isZero();
        }
    }

    @Test
    void withoutATokenNonLoopbackClientsAreRefused() {
        assertThatThrownBy(() -> new SpiClient(backend, RecordingConnection.REMOTE))
                .isInstanceOf(IOException.class).hasMessageContaining("non-loopback").hasMessageContaining("tsfleet.emulator.broker.token");
    }

    @Test
    void sockFamilyIdsTheKernelCouldAllocateAreRejected() {
        assertThatThrownBy(() -> new KernelBackendSettings(null, 31, 0, KernelBackendSettings.DEFAULT_BACKLOG_BYTES, KernelBackendSettings.DEFAULT_BACKLOG_TOTAL_BYTES)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1024..65535");
    }

    private NetlinkMessage directExitOf(LiveNetlinkSocket s, long pid) throws IOException {
        long deadline = System.nanoTime() + Conversation.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!(s.receive(Duration.ofMillis(100)) instanceof Received.Datagram d)) continue;
            for (NetlinkMessage m : NetlinkExchange.split(d)) {
                if (m.type() == taskstats.id() && Conversation.event(m).pid().map(a -> a.id() == pid).orElse(false)) return m;
            }
        }
        throw new AssertionError("no direct event for pid " + pid);
    }

    private boolean receivedExitOf(LiveNetlinkSocket s, long pid) throws IOException {
        long deadline = System.nanoTime() + QUIET.toNanos();
        while (System.nanoTime() < deadline) {
            if (!(s.receive(Duration.ofMillis(50)) instanceof Received.Datagram d)) continue;
            for (NetlinkMessage m : NetlinkExchange.split(d)) {
                if (m.type() == taskstats.id() && Conversation.event(m).pid().map(a -> a.id() == pid).orElse(false)) return true;
            }
        }
        return false;
    }
}
