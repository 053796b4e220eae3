package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * One raw listener of the broker protocol, the way a plain netlink client does it, over a blocking socket channel:
 * resolve {@code TSFLEET_SOCK} and {@code TASKSTATS} through the generic netlink controller (never a hard-coded id),
 * learn its port id, set the receive buffer ({@code SO_RCVBUFFORCE}, or {@code SO_RCVBUF} when that is refused),
 * register a cpumask, then read and count frames ({@link FrameCounter}) until closed. Nothing is decoded on the read
 * path: the count is what reached the listener, not what a real listener could process.
 */
public final class RawListener implements AutoCloseable {
    /** Size of one read: the broker writes up to 256 KiB at a time. */
    static final int READ_BUFFER = 512 * 1024;

    private final SocketChannel channel;
    private final NetlinkStreamDecoder decoder = new NetlinkStreamDecoder();
    private final ByteBuffer buf = ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private int nextSeq = 1;
    private int taskstatsFamily = -1;
    private int portId;
    private long receiveBuffer;
    private FrameCounter counter;

    private RawListener(SocketChannel channel) {
        this.channel = channel;
        buf.flip();
    }

    /**
     * Connects and registers on {@code cpulist}.
     *
     * @param rcvbufBytes       the {@code SO_RCVBUF(FORCE)} request (the broker doubles it, as the kernel does); 0 = leave the default
     * @param tcpReceiveBuffer  the TCP {@code SO_RCVBUF} of the connection (the listener service fixes 128 KiB); 0 = the OS default
     */
    public static RawListener connect(InetSocketAddress broker, String cpulist, int rcvbufBytes, int tcpReceiveBuffer) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            if (tcpReceiveBuffer > 0) ch.setOption(StandardSocketOptions.SO_RCVBUF, tcpReceiveBuffer);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(broker);
            RawListener l = new RawListener(ch);
            l.handshake(cpulist, rcvbufBytes);
            return l;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void handshake(String cpulist, int rcvbufBytes) throws IOException {
        int sock = resolve(SockProtocol.FAMILY_NAME);
        taskstatsFamily = resolve(TaskstatsProtocol.FAMILY_NAME);
        counter = new FrameCounter(taskstatsFamily);
        if (rcvbufBytes > 0) {
            int err = ack(request(sock, SockProtocol.CMD_SET, SockProtocol.GENL_VERSION, b -> b.u32(SockProtocol.ATTR_RCVBUFFORCE, rcvbufBytes)));
            if (err != 0) err = ack(request(sock, SockProtocol.CMD_SET, SockProtocol.GENL_VERSION, b -> b.u32(SockProtocol.ATTR_RCVBUF, rcvbufBytes)));
            if (err != 0) throw new IOException("setting the receive buffer to " + rcvbufBytes + " failed: errno " + err);
        }
        Answer info = request(sock, SockProtocol.CMD_GET, SockProtocol.GENL_VERSION, b -> b);
        if (info.replies().isEmpty()) throw new IOException("TSFLEET_SOCK GET answered errno " + ack(info));
        AttributeList a = attributes(info.replies().getFirst());
        portId = (int) a.last(SockProtocol.ATTR_PORT_ID).orElseThrow(() -> new IOException("no port id in TSFLEET_SOCK GET")).u32();
        receiveBuffer = a.last(SockProtocol.ATTR_RCVBUF).map(NlAttribute::u32).orElse(-1L);
        int err = ack(request(taskstatsFamily, TaskstatsProtocol.CMD_GET, TaskstatsProtocol.GENL_VERSION,
                b -> b.string(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, cpulist)));
        if (err != 0) throw new IOException("REGISTER " + cpulist + " answered errno " + err);
    }

    /** The answer to one request: replies with its sequence number and the ack's error (null: no ack). */
    private record Answer(List<NetlinkMessage> replies, Integer error) {
    }

    @FunctionalInterface
    private interface Attributes {
        MessageBuilder add(MessageBuilder b);
    }

    private int resolve(String family) throws IOException {
        Answer a = request(Netlink.GENL_ID_CTRL, Netlink.CTRL_CMD_GETFAMILY, 1, b -> b.string(Netlink.CTRL_ATTR_FAMILY_NAME, family));
        if (a.replies().isEmpty()) throw new IOException("family " + family + " not resolved: errno " + ack(a));
        NlAttribute id = attributes(a.replies().getFirst()).last(Netlink.CTRL_ATTR_FAMILY_ID)
                .orElseThrow(() -> new IOException("no family id for " + family));
        return Short.toUnsignedInt(id.valueBuffer().getShort(0));
    }

    private static int ack(Answer a) throws IOException {
        if (a.error() == null) throw new IOException("no ack");
        return a.error();
    }

    /** Sends one request with {@code NLM_F_ACK} and reads until its ack (anything else that arrives meanwhile is skipped). */
    private Answer request(int type, int cmd, int version, Attributes attrs) throws IOException {
        int seq = nextSeq++;
        ByteBuffer out = ByteBuffer.wrap(attrs.add(MessageBuilder.genl(cmd, version)).build(type, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, seq, 0).toBytes());
        while (out.hasRemaining()) channel.write(out);
        List<NetlinkMessage> replies = new ArrayList<>();
        while (true) {
            NetlinkMessage m = nextMessage();
            if (m.seq() != seq) continue;        // an event that came before the ack: the windows count deltas anyway
            if (m.type() == Netlink.NLMSG_ERROR) return new Answer(replies, m.payloadBuffer().getInt(0));
            replies.add(m);
        }
    }

    private NetlinkMessage nextMessage() throws IOException {
        while (true) {
            try {
                NetlinkMessage m = decoder.next(buf);
                if (m != null) return m;
            } catch (MalformedMessageException e) {
                throw new IOException("broker sent a malformed frame: " + e.getMessage(), e);
            }
            fill();
        }
    }

    private void fill() throws IOException {
        buf.compact();
        int n = channel.read(buf);
        buf.flip();
        if (n < 0) throw new EOFException("the broker closed the connection");
    }

    private static AttributeList attributes(NetlinkMessage m) throws IOException {
        try {
            return GenlMessage.of(m).attributes(false);
        } catch (MalformedMessageException e) {
            throw new IOException(e);
        }
    }

    /**
     * Reads and counts until the connection is closed (by {@link #close()} from another thread: returns normally) or
     * fails (throws).
     */
    public void readUntilClosed() throws IOException {
        try {
            while (true) {
                counter.count(buf);
                fill();
            }
        } catch (ClosedChannelException e) {            // AsynchronousCloseException included
            // closed by close(): the end of the measurement
        } catch (MalformedMessageException e) {
            throw new IOException("broker sent a malformed frame: " + e.getMessage(), e);
        }
    }

    public FrameCounter counter() {
        return counter;
    }

    public int portId() {
        return portId;
    }

    public int taskstatsFamily() {
        return taskstatsFamily;
    }

    /** The effective receive buffer the broker reported after the set-up. */
    public long receiveBuffer() {
        return receiveBuffer;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
