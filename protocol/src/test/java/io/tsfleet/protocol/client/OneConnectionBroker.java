package io.tsfleet.protocol.client;

import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A broker for the client's tests: a real TCP server on an ephemeral loopback port that serves one connection the
 * way the broker does: the controller resolves {@code TSFLEET_SOCK} and {@code TASKSTATS} to ids that are not the
 * usual ones (a client that hard-codes ids fails), {@code AUTH} checks the token (-EPERM), {@code SET}/{@code GET}
 * report the socket's state, {@code REGISTER}/{@code DEREGISTER} accept cpulists of CPUs below {@link #CPUS} and
 * refuse anything else with -EINVAL. Tests push arbitrary bytes to the client with {@link #push}.
 */
final class OneConnectionBroker implements AutoCloseable {
    static final int SOCK_ID = 40;
    static final int TASKSTATS_ID = 41;
    static final int PORT_ID = 0x8000_0123;
    static final int CPUS = 4;

    private final String token;
    private final ServerSocket server;
    private final CountDownLatch connected = new CountDownLatch(1);
    private volatile Socket socket;
    private volatile boolean authenticated;
    private volatile long rcvbuf = SockProtocol.DEFAULT_RMEM;
    final List<String> registered = new CopyOnWriteArrayList<>();
    final List<String> deregistered = new CopyOnWriteArrayList<>();

    OneConnectionBroker(String token) throws IOException {
        this.token = token;
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("one-connection-broker").start(this::serve);
    }

    BrokerAddress address() {
        return new BrokerAddress("127.0.0.1", server.getLocalPort());
    }

    /** Writes {@code bytes} to the client as they are, and flushes. */
    synchronized void push(byte[] bytes) throws IOException, InterruptedException {
        if (!connected.await(5, TimeUnit.SECONDS)) throw new IOException("no client connected");
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** Closes the client's connection (end of stream at the client). */
    void hangUp() throws IOException, InterruptedException {
        if (!connected.await(5, TimeUnit.SECONDS)) throw new IOException("no client connected");
        socket.close();
    }

    private void serve() {
        try (Socket s = server.accept()) {
            socket = s;
            connected.countDown();
            NetlinkStreamDecoder decoder = new NetlinkStreamDecoder();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN).flip();
            InputStream in = s.getInputStream();
            while (true) {
                NetlinkMessage m = decoder.next(buf);
                if (m == null) {
                    buf.compact();
                    int n = in.read(buf.array(), buf.position(), buf.remaining());
                    if (n < 0) return;
                    buf.position(buf.position() + n).flip();
                    continue;
                }
                push(answer(m));
            }
        } catch (Exception e) {
            // the client went away or the test closed the broker
        }
    }

    private byte[] answer(NetlinkMessage m) throws Exception {
        GenlMessage g = GenlMessage.of(m);
        AttributeList a = g.attributes(false);
        ByteBuffer out = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        if (m.type() == Netlink.GENL_ID_CTRL && g.cmd() == Netlink.CTRL_CMD_GETFAMILY) {
            String name = a.last(Netlink.CTRL_ATTR_FAMILY_NAME).orElseThrow().string();
            int id = name.equals(SockProtocol.FAMILY_NAME) ? SOCK_ID : name.equals(TaskstatsProtocol.FAMILY_NAME) ? TASKSTATS_ID : -1;
            if (id < 0) {
                NetlinkError.ackFor(m, Errno.ENOENT.negative(), PORT_ID).writeTo(out);
            } else {
                MessageBuilder.genl(Netlink.CTRL_CMD_NEWFAMILY, 2).u16(Netlink.CTRL_ATTR_FAMILY_ID, id).string(Netlink.CTRL_ATTR_FAMILY_NAME, name)
                        .build(Netlink.GENL_ID_CTRL, 0, m.seq(), PORT_ID).writeTo(out);
                ackIfAsked(m, 0, out);
            }
        } else if (m.type() == SOCK_ID && g.cmd() == SockProtocol.CMD_AUTH) {
            authenticated = a.last(SockProtocol.ATTR_TOKEN).map(t -> t.string().equals(token)).orElse(false);
            NetlinkError.ackFor(m, authenticated ? 0 : Errno.EPERM.negative(), PORT_ID).writeTo(out);
        } else if (m.type() == SOCK_ID && g.cmd() == SockProtocol.CMD_SET) {
            a.last(SockProtocol.ATTR_RCVBUF).ifPresent(v -> rcvbuf = 2 * v.u32());
            boolean force = a.last(SockProtocol.ATTR_RCVBUFFORCE).isPresent();
            NetlinkError.ackFor(m, force ? Errno.EPERM.negative() : 0, PORT_ID).writeTo(out);
        } else if (m.type() == SOCK_ID && g.cmd() == SockProtocol.CMD_GET) {
            MessageBuilder.genl(SockProtocol.CMD_NEW, SockProtocol.GENL_VERSION).u32(SockProtocol.ATTR_PORT_ID, PORT_ID)
                    .u32(SockProtocol.ATTR_RCVBUF, rcvbuf).u32(SockProtocol.ATTR_AUTHENTICATED, authenticated ? 1 : 0)
                    .build(SOCK_ID, 0, m.seq(), PORT_ID).writeTo(out);
            ackIfAsked(m, 0, out);
        } else if (m.type() == TASKSTATS_ID && g.cmd() == TaskstatsProtocol.CMD_GET) {
            var register = a.last(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK);
            var deregister = a.last(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK);
            String mask = register.or(() -> deregister).map(v -> v.string()).orElse("");
            boolean valid = (register.isPresent() || deregister.isPresent()) && validCpulist(mask);
            if (valid) (register.isPresent() ? registered : deregistered).add(mask);
            NetlinkError.ackFor(m, valid ? 0 : Errno.EINVAL.negative(), PORT_ID).writeTo(out);
        } else {
            NetlinkError.ackFor(m, Errno.EINVAL.negative(), PORT_ID).writeTo(out);
        }
        byte[] bytes = new byte[out.flip().remaining()];
        out.get(bytes);
        return bytes;
    }

    private static void ackIfAsked(NetlinkMessage m, int error, ByteBuffer out) {
        if (m.hasFlag(Netlink.NLM_F_ACK)) NetlinkError.ackFor(m, error, PORT_ID).writeTo(out);
    }

    /** {@code a-b} or {@code a}, every CPU below {@link #CPUS}: enough grammar for these tests. */
    private static boolean validCpulist(String s) {
        if (!s.matches("\\d+(-\\d+)?")) return false;
        String[] p = s.split("-");
        int from = Integer.parseInt(p[0]);
        int to = p.length == 1 ? from : Integer.parseInt(p[1]);
        return from <= to && to < CPUS;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s = socket;
        if (s != null) s.close();
    }
}
