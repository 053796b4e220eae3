package io.tsfleet.emulator.broker;

import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The broker's TCP server: non-blocking NIO with an acceptor thread and a few event loops, each serving
 * many connections. Per connection it cuts the input into netlink messages for the backend session and
 * writes the session's output in large batches: one {@code drainTo} fills a 256 KiB direct buffer that
 * goes out in one {@code write}, so a busy listener costs a syscall per few hundred events, not per event. With a
 * {@link BrokerSettings#flushDelay()}, output that becomes ready waits that long before its write, so that what comes
 * meanwhile goes out in the same one (on a large machine each connection carries few events per second).
 * A partial write keeps the rest and waits for {@code OP_WRITE}; no more output is taken from the session
 * until it is gone, so a client that stops reading backs up into its session's receive queue.
 *
 * <p>Output taken from a session counts as read by the client, so TCP buffering sits between the emulated receive
 * queue and the client. Every connection's send buffer is therefore fixed at
 * {@link BrokerSettings#tcpSendBufferBytes()} (which also turns off the kernel's autotuning, which grows loopback
 * buffers to megabytes): a slow client's backlog stays in the emulated queue, where it overflows and is counted as
 * the kernel would count it, instead of hiding in socket buffers.
 *
 * <p>Protection: a frame with {@code nlmsg_len} below 16 or above {@link BrokerSettings#maxMessageBytes()}
 * closes that connection (counted); a connection that keeps an incomplete frame for longer than
 * {@link BrokerSettings#partialFrameTimeout()} is closed (counted); the input buffer never exceeds one
 * maximal frame. Nothing a connection does blocks the loops for other connections.
 */
public final class BrokerServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BrokerServer.class.getName());
    private static final int READ_CHUNK = 16 * 1024;
    private static final int FLUSH_ROUNDS = 8;

    private final BrokerBackend backend;
    private final BrokerSettings settings;
    private final Clock clock;
    private final BrokerStats stats = new BrokerStats();
    private final NetlinkStreamDecoder decoder;
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private ServerSocketChannel server;
    private Thread acceptor;
    private final List<EventLoop> loops = new ArrayList<>();
    private final long flushDelayNanos;

    public BrokerServer(BrokerBackend backend, BrokerSettings settings, Clock clock) {
        this.backend = backend;
        this.settings = settings;
        this.clock = clock;
        this.decoder = new NetlinkStreamDecoder(settings.maxMessageBytes());
        this.flushDelayNanos = settings.flushDelay().toNanos();
    }

    public synchronized void start() throws IOException {
        if (!running.compareAndSet(false, true)) throw new IllegalStateException("already started");
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress(settings.bindAddress(), settings.port()), 1024);
        for (int i = 0; i < settings.ioThreads(); i++) {
            EventLoop loop = new EventLoop(i);
            loops.add(loop);
            loop.thread.start();
        }
        acceptor = Thread.ofPlatform().name("broker-accept").daemon().start(this::acceptLoop);
        LOG.info(() -> "broker (" + backend.name() + " backend) listening on " + server.socket().getLocalSocketAddress());
    }

    /** The bound port (useful when configured with 0). */
    public int port() {
        return server.socket().getLocalPort();
    }

    public BrokerStats stats() {
        return stats;
    }

    public String backendName() {
        return backend.name();
    }

    private void acceptLoop() {
        int next = 0;
        while (running.get()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (running.get()) LOG.log(Level.WARNING, "accept failed", e);
                continue;
            }
            if (stats.open.get() >= settings.maxConnections()) {
                stats.rejected.increment();
                closeQuietly(ch);
                continue;
            }
            stats.accepted.increment();
            EventLoop loop = loops.get(next++ % loops.size());
            loop.adopt(ch);
        }
    }

    @Override
    public synchronized void close() {
        if (!running.compareAndSet(true, false)) return;
        closeQuietly(server);
        for (EventLoop l : loops) l.stop();
        for (EventLoop l : loops) {
            try {
                l.thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (acceptor != null) acceptor.interrupt();
        backend.close();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** One selector thread and the connections it owns. */
    private final class EventLoop {
        final Thread thread;
        final Selector selector;
        final Queue<SocketChannel> incoming = new ConcurrentLinkedQueue<>();
        final Queue<Connection> ready = new ConcurrentLinkedQueue<>();
        final AtomicBoolean sleeping = new AtomicBoolean();
        final Set<Connection> connections = new HashSet<>();
        final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(BrokerSession.MIN_DRAIN_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        /** Connections whose output gathers for {@link BrokerSettings#flushDelay()}, due first first (one delay for all). */
        final ArrayDeque<Connection> gathering = new ArrayDeque<>();
        volatile boolean stopping;
        long lastSweep;

        EventLoop(int index) throws IOException {
            selector = Selector.open();
            thread = Thread.ofPlatform().name("broker-io-" + index).daemon().unstarted(this::run);
        }

        void adopt(SocketChannel ch) {
            incoming.add(ch);
            wake();
        }

        void schedule(Connection c) {
            ready.add(c);
            wake();
        }

        void wake() {
            if (sleeping.get()) selector.wakeup();
        }

        void stop() {
            stopping = true;
            selector.wakeup();
        }

        void run() {
            try {
                while (!stopping) {
                    long sleepMillis = gathering.isEmpty() ? 500 : millisUntil(gathering.peekFirst().flushAt);
                    if (incoming.isEmpty() && ready.isEmpty() && sleepMillis > 0) {
                        // announce the sleep, then look again: work queued after this look sees the flag and wakes us
                        sleeping.set(true);
                        if (incoming.isEmpty() && ready.isEmpty()) selector.select(sleepMillis);
                        else selector.selectNow();
                        sleeping.set(false);
                    } else {
                        selector.selectNow(); // busy: a producer need not wake us (a wakeup costs it two syscalls)
                    }
                    adoptIncoming();
                    for (SelectionKey key : selector.selectedKeys()) {
                        Connection c = (Connection) key.attachment();
                        if (!key.isValid()) continue;
                        if (key.isReadable()) c.read();
                        if (key.isValid() && key.isWritable()) c.flush();
                    }
                    selector.selectedKeys().clear();
                    Connection c;
                    int budget = 4096;
                    long now = System.nanoTime();
                    while (budget-- > 0 && (c = ready.poll()) != null) {
                        if (flushDelayNanos > 0 && c.closeReason == null && !c.backlogged) {
                            c.flushAt = now + flushDelayNanos; // stays scheduled: what comes meanwhile joins
                            gathering.addLast(c);
                        } else {
                            serve(c);
                        }
                    }
                    if (!gathering.isEmpty()) now = System.nanoTime();
                    while ((c = gathering.peekFirst()) != null && c.flushAt - now <= 0) {
                        gathering.pollFirst();
                        serve(c);
                    }
                    sweepSlowConnections();
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.SEVERE, "broker event loop failed", e);
            } finally {
                for (Connection c : new ArrayList<>(connections)) c.shutdown("broker stopping");
                closeQuietly(selector);
            }
        }

        private void serve(Connection c) {
            c.scheduled.set(false);
            if (c.closeReason != null) c.shutdown(c.closeReason);
            else c.flush();
        }

        private static long millisUntil(long deadlineNanos) {
            long nanos = deadlineNanos - System.nanoTime();
            return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
        }

        private void adoptIncoming() {
            SocketChannel ch;
            while ((ch = incoming.poll()) != null) {
                try {
                    ch.configureBlocking(false);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ch.setOption(StandardSocketOptions.SO_SNDBUF, settings.tcpSendBufferBytes());
                    Connection c = new Connection(this, ch);
                    c.session = backend.open(c);
                    c.key = ch.register(selector, SelectionKey.OP_READ, c);
                    connections.add(c);
                    stats.open.incrementAndGet();
                    if (c.closeReason != null) c.shutdown(c.closeReason);
                    else c.flush();
                } catch (IOException | RuntimeException e) {
                    stats.rejected.increment();
                    LOG.log(Level.FINE, "connection refused by the backend", e);
                    closeQuietly(ch);
                }
            }
        }

        private void sweepSlowConnections() {
            long now = clock.millis();
            if (now - lastSweep < 250) return;
            lastSweep = now;
            long limit = settings.partialFrameTimeout().toMillis();
            for (Connection c : new ArrayList<>(connections)) {
                if (c.partialSince >= 0 && now - c.partialSince > limit) {
                    stats.slowloris.increment();
                    c.shutdown("incomplete frame for more than " + settings.partialFrameTimeout());
                }
            }
        }
    }

    /** One client connection = one netlink socket of the backend. Its I/O runs on its loop's thread only. */
    private final class Connection implements BrokerConnection {
        final EventLoop loop;
        final SocketChannel channel;
        final long id = connectionIds.incrementAndGet();
        final SocketAddress remote;
        final AtomicBoolean scheduled = new AtomicBoolean();
        BrokerSession session;
        SelectionKey key;
        ByteBuffer in = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer leftover;
        long partialSince = -1;
        volatile String closeReason;
        boolean closed;
        /** When its gathering output is due (loop thread only). */
        long flushAt;
        /** The last flush left output behind: the next one is a continuation and does not wait again (loop thread only). */
        boolean backlogged;

        Connection(EventLoop loop, SocketChannel channel) throws IOException {
            this.loop = loop;
            this.channel = channel;
            this.remote = channel.getRemoteAddress();
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public SocketAddress remoteAddress() {
            return remote;
        }

        @Override
        public void outputReady() {
            if (scheduled.compareAndSet(false, true)) loop.schedule(this);
        }

        @Override
        public void close(String reason) {
            closeReason = reason == null ? "closed by backend" : reason;
            if (scheduled.compareAndSet(false, true)) loop.schedule(this);
            else loop.wake();
        }

        void read() {
            int n;
            try {
                n = channel.read(in);
            } catch (IOException e) {
                shutdown("read failed: " + e.getMessage());
                return;
            }
            if (n < 0) {
                shutdown("closed by client");
                return;
            }
            stats.bytesRead.add(n);
            in.flip();
            try {
                int frame;
                while (!closed && (frame = decoder.frameLength(in)) > 0) {
                    NetlinkMessage m = NetlinkMessage.decode(in.duplicate().order(ByteOrder.LITTLE_ENDIAN).limit(in.position() + frame));
                    in.position(in.position() + frame);
                    stats.requests.increment();
                    session.onRequest(m);
                }
            } catch (MalformedMessageException e) {
                stats.malformed.increment();
                shutdown("malformed frame: " + e.getMessage());
                return;
            }
            ensureRoomForNextFrame();
            in.compact();
            partialSince = in.position() > 0 ? (partialSince >= 0 ? partialSince : clock.millis()) : -1;
        }

        /** Grows the input buffer to hold the frame whose header has arrived (never beyond one maximal frame). */
        private void ensureRoomForNextFrame() {
            int needed = READ_CHUNK;
            if (in.remaining() >= 4) needed = Math.max(needed, Netlink.align(in.getInt(in.position())));
            if (in.capacity() < needed) {
                ByteBuffer bigger = ByteBuffer.allocate(needed).order(ByteOrder.LITTLE_ENDIAN);
                bigger.put(in);
                bigger.flip();
                in = bigger;
            }
        }

        void flush() {
            if (closed) return;
            try {
                if (leftover != null) {
                    stats.bytesWritten.add(channel.write(leftover));
                    stats.writes.increment();
                    if (leftover.hasRemaining()) {
                        interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                        return;
                    }
                    leftover = null;
                }
                backlogged = false;
                ByteBuffer out = loop.writeBuffer;
                for (int round = 0; round < FLUSH_ROUNDS; round++) {
                    out.clear();
                    if (session.drainTo(out) == 0) {
                        interest(SelectionKey.OP_READ);
                        return;
                    }
                    out.flip();
                    stats.bytesWritten.add(channel.write(out));
                    stats.writes.increment();
                    if (out.hasRemaining()) {
                        leftover = ByteBuffer.allocate(out.remaining()).put(out).flip();
                        interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                        return;
                    }
                }
                backlogged = true;
                outputReady(); // more pending: come back after the other connections had their turn
            } catch (IOException e) {
                shutdown("write failed: " + e.getMessage());
            }
        }

        private void interest(int ops) {
            if (key.isValid() && key.interestOps() != ops) key.interestOps(ops);
        }

        void shutdown(String reason) {
            if (closed) return;
            closed = true;
            if (key != null) key.cancel();
            closeQuietly(channel);
            if (loop.connections.remove(this)) stats.open.decrementAndGet();
            if (session != null) session.close();
            LOG.fine(() -> "connection " + id + " from " + remote + " closed: " + reason);
        }
    }
}
