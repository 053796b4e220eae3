package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.client.BrokerClient;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

/**
 * One raw listener of the broker protocol on the protocol module's {@link BrokerClient}, the way a plain netlink
 * client does it: the client's handshake resolves {@code TSFLEET_SOCK} and {@code TASKSTATS} through the generic
 * netlink controller (never a hard-coded id), learns its port id and sets the receive buffer ({@code SO_RCVBUFFORCE},
 * or {@code SO_RCVBUF} when that is refused); then it registers a cpumask and reads and counts frames
 * ({@link FrameCounter}) until closed. Nothing is decoded on the read path: the count is what reached the listener, not
 * what a real listener could process.
 */
public final class RawListener implements AutoCloseable {
    /** Size of one read: the broker writes up to 256 KiB at a time. */
    static final int READ_BUFFER = 512 * 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final BrokerClient client;
    private final FrameCounter counter;
    private final BrokerClient.FrameVisitor count;

    private RawListener(BrokerClient client) {
        this.client = client;
        this.counter = new FrameCounter(client.taskstatsFamily());
        this.count = (buf, at, len) -> {
            counter.countFrame(buf, at, len);
            return true;
        };
    }

    /**
     * Connects and registers on {@code cpulist}.
     *
     * @param rcvbufBytes       the {@code SO_RCVBUF(FORCE)} request (the broker doubles it, as the kernel does); 0 = leave the default
     * @param tcpReceiveBuffer  the TCP {@code SO_RCVBUF} of the connection (the listener service fixes 128 KiB); 0 = the OS default
     */
    public static RawListener connect(InetSocketAddress broker, String cpulist, int rcvbufBytes, int tcpReceiveBuffer) throws IOException {
        BrokerClient client = BrokerClient.connect(broker, CONNECT_TIMEOUT, READ_BUFFER, tcpReceiveBuffer,
                NetlinkStreamDecoder.DEFAULT_MAX_MESSAGE_BYTES);
        try {
            // events that arrive before the REGISTER ack are skipped: the windows count deltas anyway
            client.handshake(null, rcvbufBytes, true, () -> { });
            client.register(cpulist, () -> { });
            return new RawListener(client);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Reads and counts until the connection is closed (by {@link #close()} from another thread: returns normally) or
     * fails (throws).
     */
    public void readUntilClosed() throws IOException {
        try {
            while (true) {
                client.visitFrames(count);       // what came with the REGISTER ack first
                counter.publish();
                client.read();
            }
        } catch (ClosedChannelException e) {            // AsynchronousCloseException included
            // closed by close(): the end of the measurement
        } finally {
            counter.publish();                          // what was counted before a malformed frame ended the read, too
        }
    }

    public FrameCounter counter() {
        return counter;
    }

    public int portId() {
        return client.portId();
    }

    public int taskstatsFamily() {
        return client.taskstatsFamily();
    }

    /** The effective receive buffer the broker reported after the set-up. */
    public long receiveBuffer() {
        return client.receiveBuffer();
    }

    @Override
    public void close() {
        client.close();
    }
}
