package io.tsfleet.benchmarks.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the emulator's broker and its control API, for the fan-out pieces' tests: it answers the generic
 * netlink controller ({@code TASKSTATS} = 31, {@code TSFLEET_SOCK} = 32), {@code TSFLEET_SOCK} SET/GET and a
 * {@code TASKSTATS} REGISTER with acks, as the broker does; what a registered connection then gets is either a fixed
 * script of bytes (written in odd-sized chunks, so frames are split across reads) or a stream of exit events at the
 * rate set by {@code PUT /api/v1/workload} (per CPU times the CPU count), of which every connection takes at most
 * {@code capPerListener} events/s and the rest is counted dropped ({@code rcvbuf_full}), with the broker's metric
 * names on {@code /actuator/prometheus}.
 */
final class StandInBroker implements AutoCloseable {
    static final int TASKSTATS_ID = 31;
    static final int SOCK_ID = 32;
    private static final Pattern BASE_RATE = Pattern.compile("\"baseRate\"\\s*:\\s*([0-9.eE+-]+)");
    private static final byte[] EVENT = TaskstatsEvent.exit(7, 4242, Taskstats.builder().comm("fake").build()).encode(TASKSTATS_ID).toBytes();

    private final ServerSocket server;
    private final HttpServer http;
    private final int cpus;
    private final byte[] script;
    private final int chunk;
    private final double capPerListener;
    private final AtomicInteger nextPort = new AtomicInteger(4194305);
    final List<String> registeredMasks = new CopyOnWriteArrayList<>();
    final List<Long> rcvbufRequests = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private double exitsPerSecond;
    private double exitsBefore;
    private long rateSince = System.nanoTime();
    private long sent;
    private long dropped;

    /** Registered connections get {@code script}, in chunks of {@code chunk} bytes. */
    static StandInBroker scripted(byte[] script, int chunk) throws IOException {
        return new StandInBroker(1, script, chunk, 0);
    }

    /** Registered connections get events at the workload's rate, at most {@code capPerListener} per second each. */
    static StandInBroker streaming(int cpus, double capPerListener) throws IOException {
        return new StandInBroker(cpus, null, 0, capPerListener);
    }

    private StandInBroker(int cpus, byte[] script, int chunk, double capPerListener) throws IOException {
        this.cpus = cpus;
        this.script = script;
        this.chunk = chunk;
        this.capPerListener = capPerListener;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("fake-broker-accept").start(this::accept);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/api/v1/workload", this::workload);
        http.createContext("/actuator/prometheus", x -> FakeFleet.respond(x, 200, metrics()));
        http.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread.ofPlatform().daemon().name("fake-broker-conn").start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        int port = nextPort.getAndIncrement();
        NetlinkStreamDecoder decoder = new NetlinkStreamDecoder();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        buf.flip();
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (true) {
                NetlinkMessage m = decoder.next(buf);
                if (m == null) {
                    buf.compact();
                    int n = in.read(buf.array(), buf.position(), buf.remaining());
                    if (n < 0) return;
                    buf.position(buf.position() + n);
                    buf.flip();
                    continue;
                }
                AttributeList a = GenlMessage.of(m).attributes(false);
                int cmd = GenlMessage.of(m).cmd();
                if (m.type() == Netlink.GENL_ID_CTRL && cmd == Netlink.CTRL_CMD_GETFAMILY) {
                    String name = a.last(Netlink.CTRL_ATTR_FAMILY_NAME).orElseThrow().string();
                    int id = name.equals(TaskstatsProtocol.FAMILY_NAME) ? TASKSTATS_ID : name.equals(SockProtocol.FAMILY_NAME) ? SOCK_ID : -1;
                    if (id < 0) {
                        out.write(NetlinkError.ackFor(m, Errno.ENOENT.negative(), port).toBytes());
                        continue;
                    }
                    out.write(MessageBuilder.genl(Netlink.CTRL_CMD_NEWFAMILY, 2).u16(Netlink.CTRL_ATTR_FAMILY_ID, id).string(Netlink.CTRL_ATTR_FAMILY_NAME, name)
                            .build(Netlink.GENL_ID_CTRL, 0, m.seq(), port).toBytes());
                    out.write(NetlinkError.ackFor(m, 0, port).toBytes());
                } else if (m.type() == SOCK_ID && cmd == SockProtocol.CMD_SET) {
                    a.last(SockProtocol.ATTR_RCVBUFFORCE).ifPresent(v -> rcvbufRequests.add(v.u32()));
                    out.write(NetlinkError.ackFor(m, 0, port).toBytes());
                } else if (m.type() == SOCK_ID && cmd == SockProtocol.CMD_GET) {
                    long rcvbuf = rcvbufRequests.isEmpty() ? SockProtocol.DEFAULT_RMEM : 2 * rcvbufRequests.getLast();
                    out.write(MessageBuilder.genl(SockProtocol.CMD_NEW, SockProtocol.GENL_VERSION).u32(SockProtocol.ATTR_PORT_ID, port)
                            .u32(SockProtocol.ATTR_RCVBUF, rcvbuf).build(SOCK_ID, 0, m.seq(), port).toBytes());
                    out.write(NetlinkError.ackFor(m, 0, port).toBytes());
                } else if (m.type() == TASKSTATS_ID && a.last(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK).isPresent()) {
                    registeredMasks.add(a.last(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK).orElseThrow().string());
                    out.write(NetlinkError.ackFor(m, 0, port).toBytes());
                    out.flush();
                    if (script != null) writeScript(out);
                    else stream(out);
                    return;
                } else {
                    out.write(NetlinkError.ackFor(m, Errno.EINVAL.negative(), port).toBytes());
                }
                out.flush();
            }
        } catch (Exception e) {
            // the client went away
        }
    }

    private void writeScript(OutputStream out) throws IOException, InterruptedException {
        for (int i = 0; i < script.length; i += chunk) {
            out.write(script, i, Math.min(chunk, script.length - i));
            out.flush();
            Thread.sleep(1);
        }
        Thread.sleep(Long.MAX_VALUE);          // keep the connection open until the broker closes
    }

    /** Every 5 ms: the events due at the current rate, at most the cap; the rest dropped. */
    private void stream(OutputStream out) throws IOException, InterruptedException {
        double credit = 0;
        long last = System.nanoTime();
        byte[] batch = new byte[0];
        while (true) {
            Thread.sleep(5);
            long now = System.nanoTime();
            double dt = (now - last) / 1e9;
            last = now;
            double rate;
            synchronized (this) {
                rate = exitsPerSecond;
            }
            credit += rate * dt;
            long due = (long) credit;
            credit -= due;
            long allowed = Math.min(due, (long) Math.ceil(capPerListener * dt));
            synchronized (this) {
                sent += allowed;
                dropped += due - allowed;
            }
            if (allowed == 0) continue;
            if (batch.length < allowed * EVENT.length) {
                batch = new byte[(int) allowed * EVENT.length];
                for (int i = 0; i < allowed; i++) System.arraycopy(EVENT, 0, batch, i * EVENT.length, EVENT.length);
            }
            out.write(batch, 0, (int) allowed * EVENT.length);
            out.flush();
        }
    }

    private synchronized double exitsNow() {
        return exitsBefore + exitsPerSecond * (System.nanoTime() - rateSince) / 1e9;
    }

    private void workload(HttpExchange x) throws IOException {
        Matcher m = BASE_RATE.matcher(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (!"PUT".equals(x.getRequestMethod()) || !m.find()) {
            FakeFleet.respond(x, 400, "{\"detail\":\"need PUT {baseRate}\"}");
            return;
        }
        synchronized (this) {
            exitsBefore = exitsNow();
            rateSince = System.nanoTime();
            exitsPerSecond = Double.parseDouble(m.group(1)) * cpus;
        }
        FakeFleet.respond(x, 200, "{}");
    }

    private synchronized String metrics() {
        return String.format(Locale.ROOT, """
                # TYPE tsfleet_broker_exits_total counter
                tsfleet_broker_exits_total{application="emulator"} %.0f
                tsfleet_broker_events_sent_total{application="emulator"} %d
                tsfleet_broker_events_dropped_total{application="emulator",reason="congested"} 0
                tsfleet_broker_events_dropped_total{application="emulator",reason="connection_refused"} 3
                tsfleet_broker_events_dropped_total{application="emulator",reason="rcvbuf_full"} %d
                tsfleet_broker_workload_lagged_exits_total{application="emulator"} 0
                """, Math.floor(exitsNow()), sent, dropped);
    }

    @Override
    public void close() throws IOException {
        http.stop(0);
        server.close();
        for (Socket s : sockets) s.close();
    }
}
