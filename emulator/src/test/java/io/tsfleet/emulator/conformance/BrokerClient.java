package io.tsfleet.emulator.conformance;

import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking test client of the broker protocol: one TCP connection = one netlink socket. It matches
 * answers the safe way, by {@code (NLMSG_ERROR, seq, own port id)}, and keeps everything else that
 * arrives (exit events, ENOBUFS reports) in {@link #received()} instead of mistaking it for an answer.
 */
public final class BrokerClient implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger(1000);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final NetlinkStreamDecoder decoder = new NetlinkStreamDecoder(1 << 20);
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private final List<NetlinkMessage> unclaimed = new ArrayList<>();
    private int portId;
    private int taskstatsId = -1;
    private int sockId = -1;

    /** The answer to one request. */
    public record Answer(NetlinkMessage request, List<NetlinkMessage> replies, NetlinkMessage ack) {
        /** The ack's error (0 = success), or null when no ack came. */
        public Integer errno() {
            if (ack == null) return null;
            return ack.payloadBuffer().getInt(0);
        }
    }

    public BrokerClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        buf.flip();
    }

    /** Connects, resolves the families and learns its port id; authenticates when a token is given. */
    public static BrokerClient open(InetSocketAddress address, String token) throws IOException {
        BrokerClient c = new BrokerClient(address);
        c.sockId = c.resolve(SockProtocol.FAMILY_NAME);
        c.taskstatsId = c.resolve(TaskstatsProtocol.FAMILY_NAME);
        c.portId = (int) c.sockInfo().last(SockProtocol.ATTR_PORT_ID).orElseThrow().u32();
        if (token != null) {
            Answer a = c.request(MessageBuilder.genl(SockProtocol.CMD_AUTH, SockProtocol.GENL_VERSION).string(SockProtocol.ATTR_TOKEN, token)
                    .build(c.sockId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, 0));
            if (a.errno() == null || a.errno() != 0) throw new IOException("authentication failed: " + a.errno());
        }
        return c;
    }

    public int portId() {
        return portId;
    }

    public int taskstatsFamily() {
        return taskstatsId;
    }

    public int sockFamily() {
        return sockId;
    }

    public static int nextSeq() {
        return SEQ.incrementAndGet();
    }

    /** Resolves a family id through the controller. */
    public int resolve(String name) throws IOException {
        Answer a = request(MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).string(Netlink.CTRL_ATTR_FAMILY_NAME, name)
                .build(Netlink.GENL_ID_CTRL, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, 0));
        if (a.replies().isEmpty()) throw new IOException("family " + name + " not resolved: errno " + a.errno());
        NlAttribute id = attrs(a.replies().getFirst()).last(Netlink.CTRL_ATTR_FAMILY_ID).orElseThrow();
        return Short.toUnsignedInt(id.valueBuffer().getShort(0));
    }

    /** TSFLEET_SOCK GET. */
    public AttributeList sockInfo() throws IOException {
        Answer a = request(MessageBuilder.genl(SockProtocol.CMD_GET, SockProtocol.GENL_VERSION)
                .build(sockId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, 0));
        if (a.replies().isEmpty()) throw new IOException("TSFLEET_SOCK GET failed: " + a.errno());
        return attrs(a.replies().getFirst());
    }

    /** TSFLEET_SOCK SET of u32 options; returns the errno of the ack. */
    public int setOption(int attr, long value) throws IOException {
        return request(MessageBuilder.genl(SockProtocol.CMD_SET, SockProtocol.GENL_VERSION).u32(attr, value)
                .build(sockId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, 0)).errno();
    }

    /** Stops reading (see {@link SockProtocol#ATTR_RECV_PAUSED}); returns the errno of the ack. */
    public int pauseReading() throws IOException {
        return setOption(SockProtocol.ATTR_RECV_PAUSED, 1);
    }

    /**
     * Reads again and returns everything that was held, up to the drained marker (events, ENOBUFS reports,
     * anything else), in arrival order; also drops what was unclaimed before.
     */
    public List<NetlinkMessage> resumeAndReadAll() throws IOException {
        int seq = nextSeq();
        send(MessageBuilder.genl(SockProtocol.CMD_SET, SockProtocol.GENL_VERSION).u32(SockProtocol.ATTR_RECV_PAUSED, 0)
                .build(sockId, Netlink.NLM_F_REQUEST, seq, 0));
        List<NetlinkMessage> got = new ArrayList<>(unclaimed);
        unclaimed.clear();
        while (true) {
            NetlinkMessage m = receive();
            if (m.type() == Netlink.NLMSG_NOOP && m.seq() == seq && m.portId() == portId) return got;
            got.add(m);
        }
    }

    /** Sends a request (a fresh sequence number is used when {@code seq} is 0) and collects its answer. */
    public Answer request(NetlinkMessage m) throws IOException {
        NetlinkMessage req = m.seq() == 0 ? new NetlinkMessage(m.type(), m.flags(), nextSeq(), m.portId(), m.payload()) : m;
        send(req);
        return collect(req, !req.hasFlag(Netlink.NLM_F_ACK));
    }

    /** Sends raw stream bytes (a request the codec cannot express); the answer is matched by {@code seq}. */
    public Answer requestRaw(byte[] bytes, int seq) throws IOException {
        out.write(bytes);
        out.flush();
        NetlinkMessage stub = new NetlinkMessage(0, Netlink.NLM_F_REQUEST, seq, 0, new byte[0]);
        return collect(stub, true);
    }

    /**
     * Collects the replies (own port id, the request's seq) until the ack; when no ack may come
     * ({@code mayLackAck}), a barrier request (a controller lookup with an ack, answered after everything
     * the request caused, since one socket's messages are handled in order) marks the end instead.
     */
    private Answer collect(NetlinkMessage req, boolean mayLackAck) throws IOException {
        int barrierSeq = -1;
        if (mayLackAck) {
            barrierSeq = nextSeq();
            send(MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).string(Netlink.CTRL_ATTR_FAMILY_NAME, "nlctrl")
                    .build(Netlink.GENL_ID_CTRL, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, barrierSeq, 0));
        }
        List<NetlinkMessage> replies = new ArrayList<>();
        NetlinkMessage ack = null;
        while (true) {
            NetlinkMessage m = receive();
            boolean mine = m.portId() == portId || portId == 0 && m.portId() != 0;
            if (barrierSeq != -1 && mine && m.seq() == barrierSeq) {
                if (m.type() == Netlink.NLMSG_ERROR) return new Answer(req, replies, ack);
                continue; // the barrier's own reply
            }
            if (mine && m.seq() == req.seq() && !(m.type() == Netlink.NLMSG_ERROR && NetlinkError.isOverrun(m))) {
                if (m.type() == Netlink.NLMSG_ERROR) {
                    ack = m;
                    if (barrierSeq == -1) return new Answer(req, replies, ack);
                } else {
                    replies.add(m);
                }
                continue;
            }
            unclaimed.add(m);
        }
    }

    /** Sends one message. */
    public void send(NetlinkMessage m) throws IOException {
        out.write(m.toBytes());
        out.flush();
    }

    public void sendBytes(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    /** The next message from the stream (blocking, with the socket timeout). */
    public NetlinkMessage receive() throws IOException {
        while (true) {
            try {
                NetlinkMessage m = decoder.next(buf);
                if (m != null) return m;
            } catch (MalformedMessageException e) {
                throw new IOException("broker sent a malformed frame: " + e.getMessage(), e);
            }
            buf.compact();
            if (!buf.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(buf.capacity() * 2).order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            int n = in.read(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
            if (n < 0) throw new IOException("broker closed the connection");
            buf.position(buf.position() + n);
            buf.flip();
        }
    }

    /** Messages that arrived while waiting for answers and were not theirs (events, overrun reports). */
    public List<NetlinkMessage> received() {
        return unclaimed;
    }

    /** Takes everything that arrives until a barrier request's ack: all messages queued before it. */
    public List<NetlinkMessage> drainUntilBarrier() throws IOException {
        NetlinkMessage barrier = MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).string(Netlink.CTRL_ATTR_FAMILY_NAME, "nlctrl")
                .build(Netlink.GENL_ID_CTRL, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, nextSeq(), 0);
        send(barrier);
        List<NetlinkMessage> got = new ArrayList<>(unclaimed);
        unclaimed.clear();
        while (true) {
            NetlinkMessage m = receive();
            if (m.portId() == portId && m.seq() == barrier.seq()) {
                if (m.type() == Netlink.NLMSG_ERROR) return got;
                continue;
            }
            got.add(m);
        }
    }

    /** True when the peer has closed the connection within the timeout (reading and discarding data). */
    public boolean closedByPeerWithin(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        byte[] sink = new byte[8192];
        try {
            while (true) {
                if (in.read(sink) < 0) return true;
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    public void setReadTimeout(Duration d) throws IOException {
        socket.setSoTimeout((int) d.toMillis());
    }

    public static AttributeList attrs(NetlinkMessage m) throws IOException {
        try {
            return GenlMessage.of(m).attributes(false);
        } catch (MalformedMessageException e) {
            throw new IOException(e);
        }
    }

    /** A TASKSTATS request with these attribute bytes. */
    public NetlinkMessage taskstatsRequest(int flags, int cmd, int version, int reserved, byte[] attrs, int nlmsgPid) {
        return MessageBuilder.create().genlHeader(cmd, version, reserved).raw(attrs).build(taskstatsId, flags, nextSeq(), nlmsgPid);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
