package io.tsfleet.protocol.client;

import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkHeader;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client side of the broker protocol (netlink over TCP, see docs/protocol.md): one connection = one netlink
 * socket. The listener service reads its CPUs through it, the benchmarks' raw listeners count frames through it and the
 * emulator's conformance tests talk to a broker through it. The thread that owns the connection reads; requests may be
 * sent from any thread. {@link #handshake} does what a netlink client does before it listens: resolves the {@code TSFLEET_SOCK}
 * and {@code TASKSTATS} families through the controller (dynamic ids), learns its port id, authenticates, and sets
 * its receive buffer. Answers are matched by (type, sequence number, own port id), never by "the next message".
 */
public final class BrokerClient implements AutoCloseable {
    private final SocketChannel socket;
    private final NetlinkStreamDecoder decoder;
    private final AtomicInteger nextSeq = new AtomicInteger(1);
    private final Object writeLock = new Object();
    /** Direct, so that the socket reads straight into it (a heap buffer costs a copy of every byte through a temporary one). */
    private ByteBuffer in;

    private int portId;
    private int taskstatsFamily = -1;
    private int sockFamily = -1;
    private int receiveBuffer;
    private long seqEpoch;
    private String node;
    private String bootId;
    private boolean authenticated;
    /** A heap chunk for {@link #read(Duration)} (timed reads go through the socket's stream); made on first use. */
    private byte[] timedChunk;

    /** A frame in the receive buffer: {@code buf} is little-endian, the frame is at {@code offset}. */
    @FunctionalInterface
    public interface FrameVisitor {
        /** Returns false to stop (the frame is consumed; later ones stay in the buffer). */
        boolean visit(ByteBuffer buf, int offset, int length) throws IOException;
    }

    private BrokerClient(SocketChannel socket, int readBufferBytes, int maxMessageBytes) {
        this.socket = socket;
        this.decoder = new NetlinkStreamDecoder(maxMessageBytes);
        this.in = ByteBuffer.allocateDirect(readBufferBytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static final int TCP_RECEIVE_BUFFER = 128 * 1024;
    static final int MIN_TCP_RECEIVE_BUFFER = 16 * 1024;

    /**
     * The TCP receive buffer for a connection whose netlink socket asks for {@code netlinkReceiveBuffer} bytes: the
     * same size, within [16 KiB, 128 KiB] (128 KiB when it is 0, the broker's default). Records in TCP buffers count
     * as read at the broker, so they neither overflow there nor show their gaps here until they are read: a replica
     * that falls behind must overflow at the broker's receive queue, where the loss is sequenced and counted at once,
     * not pile up a backlog in socket buffers several times that queue's size (it hides the overflow's onset and, after
     * a rebalance, keeps the replica behind on the CPUs it still owns while it reads through it).
     */
    public static int tcpReceiveBuffer(int netlinkReceiveBuffer) {
        if (netlinkReceiveBuffer <= 0) return TCP_RECEIVE_BUFFER;
        return Math.clamp(netlinkReceiveBuffer, MIN_TCP_RECEIVE_BUFFER, TCP_RECEIVE_BUFFER);
    }

    public static BrokerClient connect(BrokerAddress address, Duration timeout, int readBufferBytes) throws IOException {
        return connect(address, timeout, readBufferBytes, TCP_RECEIVE_BUFFER);
    }

    public static BrokerClient connect(BrokerAddress address, Duration timeout, int readBufferBytes, int tcpReceiveBufferBytes)
            throws IOException {
        return connect(address.socketAddress(), timeout, readBufferBytes, tcpReceiveBufferBytes, NetlinkStreamDecoder.DEFAULT_MAX_MESSAGE_BYTES);
    }

    /**
     * Opens the TCP connection ({@code TCP_NODELAY}); nothing is sent yet.
     *
     * @param readBufferBytes       the initial receive buffer (at least 4 KiB; it grows to twice {@code maxMessageBytes}
     *                              when a frame does not fit)
     * @param tcpReceiveBufferBytes the TCP {@code SO_RCVBUF} (see {@link #tcpReceiveBuffer}); 0 or less leaves the OS default
     * @param maxMessageBytes       the largest frame accepted; a longer length ends the stream ({@link BrokerProtocolException})
     */
    public static BrokerClient connect(InetSocketAddress address, Duration timeout, int readBufferBytes, int tcpReceiveBufferBytes,
                                       int maxMessageBytes) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            // a fixed TCP receive buffer (no autotuning to megabytes), see tcpReceiveBuffer
            if (tcpReceiveBufferBytes > 0) ch.setOption(StandardSocketOptions.SO_RCVBUF, tcpReceiveBufferBytes);
            ch.socket().connect(address, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            return new BrokerClient(ch, Math.max(4096, readBufferBytes), maxMessageBytes);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Resolves the families, learns the port id, authenticates (when {@code token} is non-null) and sets the receive
     * buffer ({@code SO_RCVBUFFORCE} when {@code force}, falling back to {@code SO_RCVBUF} on -EPERM), then reads the
     * socket's state: effective receive buffer, sequence epoch, and the broker's {@link #node()} and {@link #bootId()}
     * (a value that is not a valid node name or boot id ends the handshake with a {@link BrokerProtocolException}). Events that
     * arrive meanwhile cannot be attributed (nothing is registered by this connection yet) and go to
     * {@code unattributed}.
     */
    public void handshake(String token, int receiveBufferBytes, boolean force, Runnable unattributed) throws IOException {
        sockFamily = resolveFamily(SockProtocol.FAMILY_NAME, unattributed);
        taskstatsFamily = resolveFamily(TaskstatsProtocol.FAMILY_NAME, unattributed);
        if (token != null && !token.isEmpty()) {
            MessageBuilder auth = MessageBuilder.genl(SockProtocol.CMD_AUTH, SockProtocol.GENL_VERSION).string(SockProtocol.ATTR_TOKEN, token);
            int error = ackOf(auth, sockFamily, unattributed);
            if (error != 0) throw new BrokerRefusedException("authentication (TSFLEET_SOCK AUTH)", error);
        }
        if (receiveBufferBytes > 0) {
            int error = force ? setReceiveBuffer(SockProtocol.ATTR_RCVBUFFORCE, receiveBufferBytes, unattributed) : -1;
            if (error != 0) error = setReceiveBuffer(SockProtocol.ATTR_RCVBUF, receiveBufferBytes, unattributed);
            if (error != 0) throw new BrokerRefusedException("SO_RCVBUF " + receiveBufferBytes, error);
        }
        readSocketState(unattributed);
    }

    /**
     * A sequence number for a request. Reserve it before sending, so that whoever reads the answer already knows
     * what to match, whichever thread sends.
     */
    public int reserveSeq() {
        int seq = nextSeq.getAndIncrement();
        return seq != 0 ? seq : nextSeq.getAndIncrement();
    }

    /** Sends {@code REGISTER_CPUMASK} with {@code NLM_F_ACK} under the reserved sequence number. */
    public void sendRegister(String cpulist, int seq) throws IOException {
        sendCpumask(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, cpulist, seq);
    }

    /** Sends {@code DEREGISTER_CPUMASK} with {@code NLM_F_ACK} under the reserved sequence number. */
    public void sendDeregister(String cpulist, int seq) throws IOException {
        sendCpumask(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK, cpulist, seq);
    }

    /**
     * Asks for the drained marker: {@code TSFLEET_SOCK} {@code CMD_SET} {@code RECV_PAUSED=0} without {@code NLM_F_ACK}.
     * The broker answers with one {@code NLMSG_NOOP} carrying {@code seq} once the connection's receive queue has been
     * emptied (it is not charged to the receive buffer, so a congested queue cannot drop it); an error is answered as
     * an {@code NLMSG_ERROR} with {@code seq}.
     */
    public void sendDrainMarkerRequest(int seq) throws IOException {
        requireHandshake();
        write(MessageBuilder.genl(SockProtocol.CMD_SET, SockProtocol.GENL_VERSION).u32(SockProtocol.ATTR_RECV_PAUSED, 0), sockFamily,
                Netlink.NLM_F_REQUEST, seq);
    }

    /**
     * Asks for the socket's state ({@code TSFLEET_SOCK} {@code CMD_GET}) under the reserved sequence number; the answer
     * comes in band, after everything queued for the connection before it (see {@link #dropsIn}).
     */
    public void sendSocketStateRequest(int seq) throws IOException {
        requireHandshake();
        write(MessageBuilder.genl(SockProtocol.CMD_GET, SockProtocol.GENL_VERSION), sockFamily, Netlink.NLM_F_REQUEST, seq);
    }

    /** Whether the frame at {@code at} is a socket-state answer ({@code TSFLEET_SOCK}) addressed to this connection. */
    public boolean isSocketState(ByteBuffer buf, int at) {
        return NetlinkHeader.type(buf, at) == sockFamily && NetlinkHeader.portId(buf, at) == portId;
    }

    /** {@code ATTR_DROPS} (the socket's {@code sk_drops}) of a socket-state answer, or -1 when it has none. */
    public static long dropsIn(ByteBuffer buf, int at, int len) throws BrokerProtocolException {
        try {
            NetlinkMessage m = NetlinkMessage.decode(buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(at).limit(at + len));
            return attributes(m).last(SockProtocol.ATTR_DROPS).filter(a -> a.value().length >= 8)
                    .map(a -> a.valueBuffer().getLong(0)).orElse(-1L);
        } catch (MalformedMessageException e) {
            throw new BrokerProtocolException("malformed TSFLEET_SOCK answer: " + e.getMessage());
        }
    }

    /**
     * Registers {@code cpulist} and waits for the ack (for clients that register once, before they read: the
     * benchmarks' raw listeners, tests). Events that arrive meanwhile go to {@code unattributed}.
     *
     * @throws BrokerRefusedException the broker answered with an error (-EINVAL for a text that is no cpulist, -ERANGE for a CPU the broker does not have, -EPERM without a valid token)
     */
    public void register(String cpulist, Runnable unattributed) throws IOException {
        int seq = reserveSeq();
        sendRegister(cpulist, seq);
        int error = errorOf(awaitAnswer(seq, Netlink.NLMSG_ERROR, unattributed));
        if (error != 0) throw new BrokerRefusedException("REGISTER_CPUMASK " + cpulist, error);
    }

    /** Deregisters {@code cpulist} and waits for the ack, as {@link #register}. */
    public void deregister(String cpulist, Runnable unattributed) throws IOException {
        int seq = reserveSeq();
        sendDeregister(cpulist, seq);
        int error = errorOf(awaitAnswer(seq, Netlink.NLMSG_ERROR, unattributed));
        if (error != 0) throw new BrokerRefusedException("DEREGISTER_CPUMASK " + cpulist, error);
    }

    /**
     * Sends a message as it is (its sequence number, flags and port id included): for requests the other methods do
     * not make, such as the conformance tests' probes. The answer is read with {@link #receive(Duration)}.
     */
    public void send(NetlinkMessage message) throws IOException {
        sendBytes(message.toBytes());
    }

    /** Sends raw stream bytes (a request the codec cannot express, or a deliberately broken one). */
    public void sendBytes(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        synchronized (writeLock) {
            while (b.hasRemaining()) socket.write(b);
        }
    }

    private void sendCpumask(int attr, String cpulist, int seq) throws IOException {
        requireHandshake();
        MessageBuilder b = MessageBuilder.genl(TaskstatsProtocol.CMD_GET, TaskstatsProtocol.GENL_VERSION).string(attr, cpulist);
        write(b, taskstatsFamily, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, seq);
    }

    /**
     * Reads what is available (blocking until at least one byte, or end of stream) into the receive buffer.
     * Throws {@link EOFException} at end of stream.
     */
    public void read() throws IOException {
        if (!in.hasRemaining()) grow();
        if (socket.read(in) < 0) throw new EOFException("broker closed the connection");
    }

    /**
     * As {@link #read()}, but waits at most {@code timeout} for the first byte ({@link SocketTimeoutException} after
     * that). It reads through a heap chunk and copies: for tests and tools, not for a hot read path.
     */
    public void read(Duration timeout) throws IOException {
        if (!in.hasRemaining()) grow();
        socket.socket().setSoTimeout((int) Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE));
        if (timedChunk == null || timedChunk.length < in.remaining()) timedChunk = new byte[in.remaining()];
        InputStream stream = socket.socket().getInputStream();
        int n = stream.read(timedChunk, 0, in.remaining());
        if (n < 0) throw new EOFException("broker closed the connection");
        in.put(timedChunk, 0, n);
    }

    /**
     * The next complete frame, decoded (a copy), reading with {@link #read(Duration)} while none is complete. For
     * tests and tools that look at every message; a listener's read path uses {@link #visitFrames} instead.
     */
    public NetlinkMessage receive(Duration timeout) throws IOException {
        NetlinkMessage[] found = new NetlinkMessage[1];
        while (true) {
            visitFrames((buf, at, len) -> {
                found[0] = decode(buf, at, len, "malformed frame from the broker: ");
                return false;
            });
            if (found[0] != null) return found[0];
            read(timeout);
        }
    }

    /** True when the broker closes the connection within {@code timeout} (or resets it); what arrives meanwhile is discarded. */
    public boolean closedByPeerWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                in.clear();
                read(Duration.ofNanos(Math.max(1_000_000, left)));
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            return true;                                   // reset
        } finally {
            in.clear();
        }
    }

    /**
     * Hands the complete frames in the receive buffer to the visitor, in order, and keeps any partial frame for the
     * next read. A malformed frame length ends the stream ({@link BrokerProtocolException}).
     */
    public void visitFrames(FrameVisitor visitor) throws IOException {
        in.flip();
        try {
            while (true) {
                int frame;
                try {
                    frame = decoder.frameLength(in);
                } catch (MalformedMessageException e) {
                    throw new BrokerProtocolException("malformed frame from the broker: " + e.getMessage());
                }
                if (frame < 0) break;
                int at = in.position();
                in.position(at + frame);
                if (!visitor.visit(in, at, frame)) break;
            }
        } finally {
            in.compact();
        }
    }

    public int portId() {
        return portId;
    }

    public int taskstatsFamily() {
        return taskstatsFamily;
    }

    /** The id of the {@code TSFLEET_SOCK} family, resolved by the handshake (-1 before). */
    public int sockFamily() {
        return sockFamily;
    }

    /** The effective receive buffer the broker reported after the handshake ({@code sk_rcvbuf}). */
    public int receiveBuffer() {
        return receiveBuffer;
    }

    /** The run of the broker's sequence counters ({@code ATTR_SEQ_EPOCH}), 0 when the broker does not say. */
    public long seqEpoch() {
        return seqEpoch;
    }

    /**
     * The name of the node the broker serves ({@code ATTR_NODE}), learned by the handshake; null when the broker does
     * not say (an older broker).
     */
    public String node() {
        return node;
    }

    /**
     * The id of the current boot of that node ({@code ATTR_BOOT_ID}, a canonical lower-case UUID), learned by the
     * handshake; null when the broker does not say. The broker's per-CPU sequence numbers run within one boot:
     * {@code (node, bootId, cpu, seq)} names one exit.
     */
    public String bootId() {
        return bootId;
    }

    public boolean authenticated() {
        return authenticated;
    }

    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket: nothing left to do
        }
    }

    private int send(MessageBuilder b, int type, int flags) throws IOException {
        int seq = reserveSeq();
        write(b, type, flags, seq);
        return seq;
    }

    private void write(MessageBuilder b, int type, int flags, int seq) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(b.build(type, flags, seq, 0).toBytes());
        synchronized (writeLock) {
            while (bytes.hasRemaining()) socket.write(bytes);
        }
    }

    private int resolveFamily(String name, Runnable unattributed) throws IOException {
        MessageBuilder req = MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).string(Netlink.CTRL_ATTR_FAMILY_NAME, name);
        int seq = send(req, Netlink.GENL_ID_CTRL, Netlink.NLM_F_REQUEST);
        NetlinkMessage reply = awaitAnswer(seq, Netlink.GENL_ID_CTRL, unattributed);
        if (reply.type() == Netlink.NLMSG_ERROR) {
            throw new BrokerRefusedException("resolving the generic netlink family " + name, errorOf(reply));
        }
        AttributeList attrs = attributes(reply);
        NlAttribute id = attrs.last(Netlink.CTRL_ATTR_FAMILY_ID)
                .orElseThrow(() -> new BrokerProtocolException("CTRL_CMD_NEWFAMILY for " + name + " without CTRL_ATTR_FAMILY_ID"));
        if (id.value().length < 2) throw new BrokerProtocolException("CTRL_ATTR_FAMILY_ID of " + name + " shorter than u16");
        return Short.toUnsignedInt(id.valueBuffer().getShort(0));
    }

    private int setReceiveBuffer(int attr, int bytes, Runnable unattributed) throws IOException {
        return ackOf(MessageBuilder.genl(SockProtocol.CMD_SET, SockProtocol.GENL_VERSION).u32(attr, bytes), sockFamily, unattributed);
    }

    private void readSocketState(Runnable unattributed) throws IOException {
        int seq = send(MessageBuilder.genl(SockProtocol.CMD_GET, SockProtocol.GENL_VERSION), sockFamily, Netlink.NLM_F_REQUEST);
        NetlinkMessage reply = awaitAnswer(seq, sockFamily, unattributed);
        if (reply.type() == Netlink.NLMSG_ERROR) throw new BrokerRefusedException("TSFLEET_SOCK GET", errorOf(reply));
        AttributeList attrs = attributes(reply);
        long reported = attrs.last(SockProtocol.ATTR_PORT_ID).map(NlAttribute::u32)
                .orElseThrow(() -> new BrokerProtocolException("TSFLEET_SOCK GET reply without ATTR_PORT_ID"));
        if ((int) reported != portId) {
            throw new BrokerProtocolException("broker reports port id " + reported + " but answers to " + Integer.toUnsignedString(portId));
        }
        receiveBuffer = attrs.last(SockProtocol.ATTR_RCVBUF).map(a -> (int) a.u32()).orElse(0);
        authenticated = attrs.last(SockProtocol.ATTR_AUTHENTICATED).map(a -> a.u32() != 0).orElse(false);
        seqEpoch = attrs.last(SockProtocol.ATTR_SEQ_EPOCH).filter(a -> a.value().length >= 8).map(a -> a.valueBuffer().getLong(0)).orElse(0L);
        String reportedNode = attrs.last(SockProtocol.ATTR_NODE).map(NlAttribute::string).orElse(null);
        if (reportedNode != null && !SockProtocol.isValidNodeName(reportedNode)) {
            throw new BrokerProtocolException("broker reports node name '" + printable(reportedNode)
                    + "', which is not a DNS subdomain of at most " + SockProtocol.MAX_NODE_NAME_LENGTH + " characters");
        }
        String reportedBoot = attrs.last(SockProtocol.ATTR_BOOT_ID).map(NlAttribute::string).orElse(null);
        if (reportedBoot != null && !SockProtocol.isValidBootId(reportedBoot)) {
            throw new BrokerProtocolException("broker reports boot id '" + printable(reportedBoot) + "', which is not a lower-case UUID");
        }
        node = reportedNode;
        bootId = reportedBoot;
    }

    /** A broker's text for an error message: at most 64 characters, control characters replaced. */
    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return cut.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private int ackOf(MessageBuilder request, int family, Runnable unattributed) throws IOException {
        int seq = send(request, family, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK);
        NetlinkMessage answer = awaitAnswer(seq, Netlink.NLMSG_ERROR, unattributed);
        return errorOf(answer);
    }

    /**
     * Reads until the answer to {@code seq} arrives: a message of {@code expectedType} or an NLMSG_ERROR with this
     * sequence number, addressed to this connection's port id (learned from the very first answer, which is the
     * only message with a non-zero port id a fresh connection can receive).
     */
    private NetlinkMessage awaitAnswer(int seq, int expectedType, Runnable unattributed) throws IOException {
        NetlinkMessage[] found = new NetlinkMessage[1];
        while (found[0] == null) {
            read();
            visitFrames((buf, at, len) -> {
                int type = NetlinkHeader.type(buf, at);
                int port = NetlinkHeader.portId(buf, at);
                boolean addressed = portId == 0 ? port != 0 : port == portId;
                if (NetlinkHeader.seq(buf, at) == seq && addressed && (type == expectedType || type == Netlink.NLMSG_ERROR)) {
                    found[0] = decode(buf, at, len, "malformed answer: ");
                    if (portId == 0) portId = port;
                    return false;
                }
                if (port == 0 && type >= Netlink.NLMSG_MIN_TYPE) unattributed.run();
                return true;
            });
        }
        return found[0];
    }

    private static NetlinkMessage decode(ByteBuffer buf, int at, int len, String complaint) throws BrokerProtocolException {
        try {
            return NetlinkMessage.decode(buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(at).limit(at + len));
        } catch (MalformedMessageException e) {
            throw new BrokerProtocolException(complaint + e.getMessage());
        }
    }

    private static int errorOf(NetlinkMessage m) throws BrokerProtocolException {
        if (m.type() != Netlink.NLMSG_ERROR || m.payload().length < 4) {
            throw new BrokerProtocolException("expected an NLMSG_ERROR answer, got type " + m.type());
        }
        return m.payloadBuffer().getInt(0);
    }

    private static AttributeList attributes(NetlinkMessage m) throws BrokerProtocolException {
        try {
            return GenlMessage.of(m).attributes(false);
        } catch (MalformedMessageException e) {
            throw new BrokerProtocolException("malformed generic netlink answer: " + e.getMessage());
        }
    }

    private void requireHandshake() {
        if (taskstatsFamily < 0) throw new IllegalStateException("handshake first");
    }

    private void grow() throws BrokerProtocolException {
        if (in.capacity() >= decoder.maxMessageBytes() * 2) throw new BrokerProtocolException("receive buffer full without a complete frame");
        ByteBuffer bigger = ByteBuffer.allocateDirect(in.capacity() * 2).order(ByteOrder.LITTLE_ENDIAN);
        in.flip();
        bigger.put(in);
        in = bigger;
    }

}
