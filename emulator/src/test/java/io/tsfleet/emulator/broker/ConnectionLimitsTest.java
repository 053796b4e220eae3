package io.tsfleet.emulator.broker;

import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.emulator.emulated.EmulatedBackend;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.emulated.kernel.ExitSpec;
import io.tsfleet.emulator.emulated.kernel.KernelConfig;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Who may hold a broker connection, and for how long: over real TCP against the real server (emulated backend). */
class ConnectionLimitsTest {
    private static final String TOKEN = "limits-test-token";
    private final List<AutoCloseable> open = new ArrayList<>();
    private EmulatedKernel kernel;
    private BrokerServer server;

    private BrokerServer start(String token, int maxConnections, ConnectionLimits limits, String bind) throws IOException {
        kernel = new EmulatedKernel(KernelConfig.of(256, CpuSet.of(0, 1)).withToken(token), Clock.systemUTC());
        server = new BrokerServer(new EmulatedBackend(kernel), new BrokerSettings(bind, 0, 1, maxConnections, 128 * 1024,
                Duration.ofSeconds(10), BrokerSettings.DEFAULT_TCP_SEND_BUFFER, Duration.ZERO, limits), Clock.systemUTC());
        server.start();
        return server;
    }

    private InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closed by the broker
            }
        }
        if (server != null) server.close();
    }

    @Test
    void connectionsThatNeverAuthenticateAreClosedAfterTheDeadlineAndALegitimateClientThenGetsIn() throws Exception {
        start(TOKEN, 5, ConnectionLimits.defaults(true).withTimeouts(Duration.ofMillis(700), Duration.ZERO), "127.0.0.1");
        BrokerTestClient listener = keep(BrokerTestClient.open(address(), TOKEN));
        List<Socket> silent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket s = keep(new Socket());
            s.connect(address());
            silent.add(s);
        }
        awaitOpen(5);
        Refusal sixth = Refusal.connect(address(), 3_000);
        assertThat(sixth.refused()).as("the limit of 5 is reached: %s", sixth).isTrue();
        assertThat(sixth.errno()).isEqualTo(Errno.ECONNREFUSED.negative());
        assertThat(sixth.text()).contains("maximum of 5 connections");

        for (Socket s : silent) {
            assertThat(Refusal.readFrom(s, 5_000).closed()).as("a silent connection is closed after the deadline").isTrue();
        }
        assertThat(server.stats().closed(CloseReason.AUTH_TIMEOUT)).isEqualTo(4);

        BrokerTestClient late = keep(BrokerTestClient.open(address(), TOKEN));
        assertThat(late.request(registerOn("1", late)).errno()).as("the legitimate client got in and is privileged").isZero();
        assertThat(listener.request(registerOn("0", listener)).errno()).as("the authenticated client was left alone").isZero();
        assertThat(server.stats().rejected(RefusalReason.CONNECTION_LIMIT)).isEqualTo(1);
    }

    @Test
    void aBurstOfConnectsDoesNotPassTheConnectionLimit() throws Exception {
        start(TOKEN, 5, ConnectionLimits.defaults(true), "127.0.0.1");
        List<Socket> burst = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Socket s = keep(new Socket());
            s.connect(address());
            burst.add(s);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.stats().accepted() + server.stats().rejected() < 40 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(server.stats().rejected(RefusalReason.CONNECTION_LIMIT)).isEqualTo(35);
        assertThat(server.stats().openConnections()).isEqualTo(5);
    }

    @Test
    void aClientThatSendsButNeverAuthenticatesIsClosedToo() throws Exception {
        start(TOKEN, 100, ConnectionLimits.defaults(true).withTimeouts(Duration.ofMillis(500), Duration.ZERO), "127.0.0.1");
        BrokerTestClient unauthenticated = keep(BrokerTestClient.open(address(), null));
        assertThat(unauthenticated.closedByPeerWithin(Duration.ofSeconds(5))).isTrue();
        assertThat(server.stats().closed(CloseReason.AUTH_TIMEOUT)).isEqualTo(1);
    }

    @Test
    void anIdleConnectionWithoutRegistrationIsClosedButASilentRegisteredListenerIsNot() throws Exception {
        start(null, 100, ConnectionLimits.defaults(false).withTimeouts(Duration.ofSeconds(10), Duration.ofMillis(600)), "127.0.0.1");
        BrokerTestClient listener = keep(BrokerTestClient.open(address(), null));
        assertThat(listener.request(registerOn("0-1", listener)).errno()).isZero();
        BrokerTestClient idle = keep(BrokerTestClient.open(address(), null));

        assertThat(idle.closedByPeerWithin(Duration.ofSeconds(5))).as("idle without registration").isTrue();
        assertThat(server.stats().closed(CloseReason.IDLE)).isEqualTo(1);
        Thread.sleep(1_500); // more than two idle periods of the listener's silence
        int tgid = kernel.exit(ExitSpec.simple(1)).tgid();
        listener.setReadTimeout(Duration.ofSeconds(5));
        NetlinkMessage event = listener.receive();
        assertThat(event.type()).as("the registered listener still gets its events").isEqualTo(kernel.taskstatsFamilyId());
        assertThat(tgid).isPositive();
        assertThat(server.stats().closed(CloseReason.IDLE)).isEqualTo(1);
    }

    @Test
    void onePeerAddressMayHoldOnlyItsLimitOfConnections() throws Exception {
        start(null, 100, ConnectionLimits.defaults(false).withMaxConnectionsPerPeer(3), "127.0.0.1");
        List<BrokerTestClient> three = new ArrayList<>();
        for (int i = 0; i < 3; i++) three.add(keep(BrokerTestClient.open(address(), null)));
        Refusal fourth = Refusal.connect(address(), 3_000);
        assertThat(fourth.refused()).as("%s", fourth).isTrue();
        assertThat(fourth.text()).contains("127.0.0.1").contains("3 connections per client address");
        assertThat(server.stats().rejected(RefusalReason.PEER_LIMIT)).isEqualTo(1);
        assertThat(server.connectionsOf(InetAddress.getByName("127.0.0.1"))).isEqualTo(3);

        three.getFirst().close();
        awaitOpen(2);
        BrokerTestClient again = keep(BrokerTestClient.open(address(), null));
        assertThat(again.resolve(TaskstatsProtocol.FAMILY_NAME)).as("a closed connection frees its slot").isPositive();
    }

    @Test
    void withoutATokenANonLoopbackClientIsRefusedWithTheReasonAndALoopbackOneIsServed() throws Exception {
        InetAddress external = nonLoopbackAddress().orElse(null);
        assumeTrue(external != null, "no non-loopback IPv4 address on this machine");
        start(null, 100, ConnectionLimits.defaults(false), "0.0.0.0");
        Refusal remote = Refusal.connect(new InetSocketAddress(external, server.port()), 3_000);
        assertThat(remote.refused()).as("%s", remote).isTrue();
        assertThat(remote.errno()).isEqualTo(Errno.EPERM.negative());
        assertThat(remote.text()).contains("no token").contains("tsfleet.emulator.broker.token");
        assertThat(server.stats().rejected(RefusalReason.TOKEN_REQUIRED)).isEqualTo(1);
        assertThat(kernel.openSockets()).as("no socket was created for it").isZero();

        BrokerTestClient local = keep(BrokerTestClient.open(address(), null));
        assertThat(local.request(registerOn("0", local)).errno()).isZero();
    }

    @Test
    void withATokenANonLoopbackClientIsAdmittedAndMustAuthenticate() throws Exception {
        InetAddress external = nonLoopbackAddress().orElse(null);
        assumeTrue(external != null, "no non-loopback IPv4 address on this machine");
        start(TOKEN, 100, ConnectionLimits.defaults(true), "0.0.0.0");
        BrokerTestClient remote = keep(BrokerTestClient.open(new InetSocketAddress(external, server.port()), TOKEN));
        assertThat(remote.request(registerOn("0", remote)).errno()).isZero();
    }

    private void awaitOpen(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.stats().openConnections() != n && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(server.stats().openConnections()).isEqualTo(n);
    }

    static NetlinkMessage registerOn(String cpulist, BrokerTestClient c) {
        return MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).string(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, cpulist)
                .build(c.taskstatsFamily(), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, 0);
    }

    static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
    }
}
