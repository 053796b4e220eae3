package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.BrokerBackend;
import io.tsfleet.emulator.broker.BrokerSession;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A broker client that talks to a backend through the SPI, as the TCP server would: requests go to
 * {@link BrokerSession#onRequest}, output is taken with {@link BrokerSession#drainTo} when the session signals it, and
 * the stream is cut with the protocol's {@link NetlinkStreamDecoder}. Output is taken only when the test reads, so a
 * test that does not read leaves events in the kernel's queue, like a client that stops reading its TCP socket.
 */
final class SpiClient implements AutoCloseable {
    /**
     * The trust of tokenless loopback clients for backends that SPI clients talk to: their connections have no TCP
     * socket to look up in /proc/net/tcp, and the test runs as root, so every one of them is root's.
     */
    static final LoopbackPeerTrust ROOT_PEER = new LoopbackPeerTrust(java.util.Set.of(0), (client, server) -> java.util.OptionalInt.of(0));

    private final RecordingConnection connection;
    private final BrokerSession session;
    private final ByteBuffer stream = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final NetlinkStreamDecoder decoder = new NetlinkStreamDecoder();
    private final ArrayDeque<NetlinkMessage> decoded = new ArrayDeque<>();

    SpiClient(BrokerBackend backend, SocketAddress remote) throws IOException {
        this.connection = new RecordingConnection(remote);
        this.session = backend.open(connection);
        stream.flip();
    }

    int portId() {
        return session.portId();
    }

    RecordingConnection connection() {
        return connection;
    }

    void send(NetlinkMessage request) {
        session.onRequest(request);
    }

    /** The next message, waiting up to {@code timeout}. */
    Optional<NetlinkMessage> next(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (decoded.isEmpty()) {
            if (drainOnce() > 0) continue;
            long left = deadline - System.nanoTime();
            if (left <= 0) return Optional.empty();
            connection.awaitOutputSignal(Math.max(1, Math.min(50, left / 1_000_000)));
        }
        return Optional.of(decoded.poll());
    }

    /** Everything that arrives until nothing more comes for {@code quiet}. */
    List<NetlinkMessage> readUntilQuiet(Duration quiet) throws IOException, InterruptedException {
        List<NetlinkMessage> out = new ArrayList<>();
        for (Optional<NetlinkMessage> m = next(quiet); m.isPresent(); m = next(quiet)) out.add(m.get());
        return out;
    }

    private int drainOnce() throws IOException {
        stream.compact();
        ByteBuffer window = stream.slice(stream.position(), stream.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        int n = session.drainTo(window);
        if (n != window.position()) throw new AssertionError("drainTo returned " + n + " but wrote " + window.position() + " bytes");
        stream.position(stream.position() + n);
        stream.flip();
        try {
            for (NetlinkMessage m = decoder.next(stream); m != null; m = decoder.next(stream)) decoded.add(m);
        } catch (MalformedMessageException e) {
            throw new IOException("the backend wrote a malformed stream: " + e.getMessage(), e);
        }
        return n;
    }

    @Override
    public void close() {
        session.close();
    }
}
