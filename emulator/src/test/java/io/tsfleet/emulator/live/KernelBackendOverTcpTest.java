package io.tsfleet.emulator.live;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.broker.BrokerSettings;
import io.tsfleet.emulator.broker.ConnectionLimits;
import io.tsfleet.emulator.broker.RefusalReason;
import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.emulator.live.config.KernelBackendMeters;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The kernel backend behind the real broker server, over real TCP (skipped without root/TASKSTATS). */
class KernelBackendOverTcpTest {
    private static final int BACKLOG = 64 << 10;
    private SimpleMeterRegistry registry;
    private KernelBackend backend;
    private BrokerServer server;

    private void start(KernelBackendSettings settings) throws IOException {
        LiveKernel.assumeAvailable();
        registry = new SimpleMeterRegistry();
        // the real trust of tokenless loopback clients: root, this process's uid, looked up in /proc/net/tcp
        backend = KernelBackend.start(settings, LiveSystem.read(LiveSystem.SYSFS_CPU), LiveKernel.node());
        new KernelBackendMeters(backend.stats()).bindTo(registry);
        server = new BrokerServer(backend, new BrokerSettings("127.0.0.1", 0, 1, 100, 128 * 1024, Duration.ofSeconds(10),
                BrokerSettings.DEFAULT_TCP_SEND_BUFFER, Duration.ZERO, ConnectionLimits.defaults(settings.hasToken())), Clock.systemUTC());
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (backend != null) backend.close();
    }

    private InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    private double queuedBytes() {
        return registry.get("tsfleet.broker.kernel.backlog").gauge().value();
    }

    @Test
    void aClientThatWritesRequestsWithoutReadingTheAnswersCannotGrowTheBacklogBeyondTheCap() throws Exception {
        start(new KernelBackendSettings(null, KernelBackendSettings.DEFAULT_SOCK_FAMILY_ID, 0, BACKLOG, 64L << 20));
        // a request to a family nobody serves: the backend answers it itself (ENOENT, echoing the request)
        byte[] request = new NetlinkMessage(1000, Netlink.NLM_F_REQUEST, 1, 0, new byte[4]).toBytes();
        byte[] burst = new byte[request.length * 4096];
        for (int i = 0; i < 4096; i++) System.arraycopy(request, 0, burst, i * request.length, request.length);
        AtomicLong sent = new AtomicLong();
        long target = 16L << 20; // without the cap: about 32 MB of answers
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(address());
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    while (sent.get() < target) {
                        out.write(burst);
                        sent.addAndGet(burst.length);
                    }
                } catch (IOException closed) {
                    // the test closed the socket while the write was blocked
                }
            });
            // wait until the writer is blocked (the broker stopped reading) or has sent everything
            long last = -1;
            while (writer.isAlive() && sent.get() != last) {
                last = sent.get();
                Thread.sleep(1_000);
            }
            double queued = queuedBytes();
            assertThat(queued).as("backlog after %,d bytes of requests", sent.get()).isLessThanOrEqualTo(BACKLOG + 4096);
            assertThat(server.stats().inputPauses()).as("the broker stopped reading the requests").isPositive();
            assertThat(sent.get()).as("the client's writes blocked").isLessThan(target);
        }
        // and once the client is gone, everything is released
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (queuedBytes() != 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(queuedBytes()).isZero();
    }

    @Test
    void answersHeldWhileTheClientPausedReadingAreBoundedAndTheDropIsReportedInBand() throws Exception {
        start(new KernelBackendSettings(null, KernelBackendSettings.DEFAULT_SOCK_FAMILY_ID, 0, BACKLOG, 64L << 20));
        byte[] request = new NetlinkMessage(1000, Netlink.NLM_F_REQUEST, 1, 0, new byte[4]).toBytes();
        int n = 50_000; // 2 MB of answers held while paused: without a bound, all of them
        try (BrokerTestClient c = BrokerTestClient.open(address(), null)) {
            assertThat(c.pauseReading()).isZero();
            long before = server.stats().requests();
            for (int i = 0; i < n; i++) c.sendBytes(request);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (server.stats().requests() < before + n && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(server.stats().requests()).as("a paused client's requests are read on").isEqualTo(before + n);

            List<NetlinkMessage> released = c.resumeAndReadAll();
            long bytes = released.stream().mapToLong(m -> m.toBytes().length).sum();
            assertThat(bytes).as("held answers are bounded").isLessThanOrEqualTo(BACKLOG + 64);
            assertThat(released).as("the drop is reported in band").anyMatch(io.tsfleet.protocol.netlink.NetlinkError::isOverrun);
            double dropped = registry.get("tsfleet.broker.kernel.dropped.answers").functionCounter().count();
            assertThat(dropped + released.size() - 1).as("every answer is released or counted as dropped").isEqualTo(n);
            assertThat(c.resolve(TaskstatsProtocol.FAMILY_NAME)).as("served normally after the resume").isPositive();
        }
    }

    @Test
    void aClientThatReadsItsAnswersIsServedThroughThePausesOfItsInput() throws Exception {
        start(new KernelBackendSettings(null, KernelBackendSettings.DEFAULT_SOCK_FAMILY_ID, 0, BACKLOG, 64L << 20));
        int n = 20_000; // 800 KB of answers: many times the cap, so the input pauses and resumes
        byte[] request = new NetlinkMessage(1000, Netlink.NLM_F_REQUEST, 1, 0, new byte[4]).toBytes();
        try (BrokerTestClient c = BrokerTestClient.open(address(), null)) {
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < n; i++) c.sendBytes(request);
                } catch (IOException ignored) {
                    // reported by the reader's count
                }
            });
            int answers = 0;
            c.setReadTimeout(Duration.ofSeconds(10));
            while (answers < n) {
                NetlinkMessage m = c.receive();
                if (m.type() == Netlink.NLMSG_ERROR) answers++;
            }
            writer.join(5_000);
            assertThat(answers).isEqualTo(n);
            assertThat(c.resolve(TaskstatsProtocol.FAMILY_NAME)).isPositive();
        }
    }

    @Test
    void withoutATokenALoopbackClientOfAnotherUidIsRefusedAndRootIsServed() throws Exception {
        assumeTrue(LiveKernel.available() && LoopbackPeerTrust.ownUid() == 0, "needs root (to run a client as uid 65534)");
        start(KernelBackendSettings.withToken(null));
        try (BrokerTestClient root = BrokerTestClient.open(address(), null)) {
            assertThat(root.resolve(TaskstatsProtocol.FAMILY_NAME)).as("root is served").isPositive();
        }

        String out = runAsNobody(address());
        assertThat(out).as("what the uid-65534 client read").contains("errno -1").contains("uid 65534")
                .contains("tsfleet.emulator.broker.token");
        assertThat(server.stats().rejected(RefusalReason.PEER_UID)).isEqualTo(1);
        assertThat(registry.get("tsfleet.broker.kernel.sockets").gauge().value()).as("no kernel socket for it").isZero();
    }

    @Test
    void withATokenALoopbackClientOfAnotherUidIsAdmittedButUnprivilegedUntilItAuthenticates() throws Exception {
        assumeTrue(LiveKernel.available() && LoopbackPeerTrust.ownUid() == 0, "needs root (to run a client as uid 65534)");
        start(KernelBackendSettings.withToken("uid-test-token"));
        String out = runAsNobody(address());
        assertThat(out).as("admitted: it waits for its answer, nothing refuses it").contains("no refusal");
        assertThat(server.stats().rejected(RefusalReason.PEER_UID)).isZero();
    }

    /**
     * Runs a single-file Java client as uid/gid 65534: it connects, waits up to 3 s for the broker to close, and prints
     * the refusal it read (the NLMSG_ERROR's errno and the extended ack's message) or {@code no refusal}.
     */
    private static String runAsNobody(InetSocketAddress broker) throws Exception {
        Path dir = Files.createTempDirectory("tsfleet-uid-client", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path source = dir.resolve("UidClient.java");
        Files.writeString(source, """
                import java.io.*;
                import java.net.*;
                import java.nio.*;
                public class UidClient {
                    public static void main(String[] a) throws Exception {
                        try (Socket s = new Socket(a[0], Integer.parseInt(a[1]))) {
                            s.setSoTimeout(3000);
                            ByteArrayOutputStream got = new ByteArrayOutputStream();
                            try {
                                InputStream in = s.getInputStream();
                                byte[] b = new byte[4096];
                                int n;
                                while ((n = in.read(b)) >= 0) got.write(b, 0, n);
                            } catch (SocketTimeoutException e) {
                                System.out.println("no refusal");
                                return;
                            }
                            ByteBuffer m = ByteBuffer.wrap(got.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
                            if (m.remaining() < 44) { System.out.println("closed after " + m.remaining() + " bytes"); return; }
                            int len = m.getShort(36) & 0xFFFF;
                            System.out.println("errno " + m.getInt(16) + ": " + new String(got.toByteArray(), 40, len - 5, "UTF-8"));
                        }
                    }
                }
                """, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                java.toString(), "-XX:-UsePerfData", "-Xshare:off", source.toString(), broker.getHostString(), Integer.toString(broker.getPort()))
                .redirectErrorStream(true).directory(dir.toFile());
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Files.deleteIfExists(source);
        Files.deleteIfExists(dir);
        assertThat(p.exitValue()).as("the client ran: %s", out).isZero();
        return out;
    }
}
