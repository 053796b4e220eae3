package io.tsfleet.emulator.conformance;

import io.tsfleet.protocol.client.BrokerClient;
import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.sock.SockProtocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tests' request/answer view of a broker connection, on the protocol module's {@link BrokerClient} (which does
 * the connecting, the framing, the family resolution, the port id and the authentication): it sends any request, also
 * malformed ones, and collects its answer the safe way, by {@code (NLMSG_ERROR, seq, own port id)}, keeping everything
 * else that arrives (exit events, ENOBUFS reports) in {@link #received()} instead of mistaking it for an answer.
 */
public final class BrokerTestClient implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger(1000);
    /** Large enough for any answer a conformance case provokes (an error ack quotes a whole request). */
    private static final int MAX_MESSAGE_BYTES = 1 << 20;

    private final BrokerClient client;
    private final List<NetlinkMessage> unclaimed = new ArrayList<>();
    private Duration readTimeout = Duration.ofSeconds(10);
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

    /** Connects and sends nothing: no family resolved, no port id known yet. */
    public BrokerTestClient(InetSocketAddress address) throws IOException {
        client = BrokerClient.connect(address, Duration.ofSeconds(5), 1 << 16, 0, MAX_MESSAGE_BYTES);
    }

    /** Connects, resolves the families and learns its port id; authenticates when a token is given. */
    public static BrokerTestClient open(InetSocketAddress address, String token) throws IOException {
        BrokerTestClient c = new BrokerTestClient(address);
        try {
            c.client.handshake(token, 0, false, () -> { });   // nothing is registered yet: no event can arrive
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.sockId = c.client.sockFamily();
        c.taskstatsId = c.client.taskstatsFamily();
        c.portId = c.client.portId();
        return c;
    }

    /** The protocol client underneath, for tests that read frames in place. */
    public BrokerClient client() {
        return client;
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
        client.sendBytes(bytes);
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
        client.send(m);
    }

    public void sendBytes(byte[] b) throws IOException {
        client.sendBytes(b);
    }

    /** The next message from the stream (blocking, at most the read timeout: 10 s unless {@link #setReadTimeout}). */
    public NetlinkMessage receive() throws IOException {
        return client.receive(readTimeout);
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
        return client.closedByPeerWithin(timeout);
    }

    public void setReadTimeout(Duration d) {
        readTimeout = d;
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
    public void close() {
        client.close();
    }
}
