package io.tsfleet.emulator.broker;

import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkHeader;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
 *
 * <p>Admission and lifetime ({@link ConnectionLimits}): without a token, a client that is not on loopback is refused;
 * beyond {@link BrokerSettings#maxConnections()} in all or {@link ConnectionLimits#maxConnectionsPerPeer()} from one
 * remote address a client is refused; a backend may refuse by policy ({@link ConnectionRefusedException}). A refused
 * client reads one {@link RefusalMessage} with the reason, then the connection closes. A connection that is not
 * authenticated {@link ConnectionLimits#authTimeout()} after accept is closed; an authenticated one that sends nothing
 * for {@link ConnectionLimits#idleTimeout()} and has no listener registration is closed. While a session does not
 * {@linkplain BrokerSession#acceptsInput() accept input} (it holds too much unread output), the connection's input is not
 * read. An exception while serving one connection closes that connection only; its loop serves the others on. Every
 * refusal and close is counted by reason; their WARNs are throttled per reason ({@link ThrottledWarnings}).
 */
public final class BrokerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);
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
    private final ConnectionLimits limits;
    /** Open (or being adopted) connections per remote address. */
    private final ConcurrentHashMap<InetAddress, Integer> perPeer = new ConcurrentHashMap<>();
    private final ThrottledWarnings warnings;

    public BrokerServer(BrokerBackend backend, BrokerSettings settings, Clock clock) {
        this.backend = backend;
        this.settings = settings;
        this.clock = clock;
        this.limits = settings.limits();
        this.warnings = new ThrottledWarnings(clock, limits.refusalLogInterval(), (message, cause) -> LOG.warn(message, cause));
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
        LOG.info("broker ({} backend) listening on {}", backend.name(), server.socket().getLocalSocketAddress());
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
                if (running.get()) LOG.warn("accept failed", e);
                continue;
            }
            InetAddress peer;
            try {
                peer = admit(ch);
            } catch (RuntimeException e) {
                LOG.error("admitting a connection failed; it is closed", e);
                closeQuietly(ch);
                continue;
            }
            if (peer == null) continue;
            stats.accepted.increment();
            EventLoop loop = loops.get(next++ % loops.size());
            loop.adopt(ch, peer);
        }
    }

    /** The client's address when it may connect (and counts against its peer limit), else null (refused and closed). */
    private InetAddress admit(SocketChannel ch) {
        InetSocketAddress remote;
        try {
            remote = (InetSocketAddress) ch.getRemoteAddress();
        } catch (IOException e) {
            closeQuietly(ch);
            return null;
        }
        InetAddress peer = remote.getAddress();
        if (!limits.tokenConfigured() && !peer.isLoopbackAddress()) {
            refuse(ch, remote, RefusalReason.TOKEN_REQUIRED, "the broker has no token and admits loopback clients only; "
                    + "set tsfleet.emulator.broker.token on the broker (and present it) to connect from " + peer.getHostAddress());
            return null;
        }
        // counted here, not when a loop adopts it: a burst of connects must not pass the limit before the loops catch up
        if (stats.open.incrementAndGet() > settings.maxConnections()) {
            stats.open.decrementAndGet();
            refuse(ch, remote, RefusalReason.CONNECTION_LIMIT, "the broker holds its maximum of " + settings.maxConnections() + " connections");
            return null;
        }
        int mine = perPeer.merge(peer, 1, Integer::sum);
        if (mine > limits.maxConnectionsPerPeer()) {
            releasePeer(peer);
            stats.open.decrementAndGet();
            refuse(ch, remote, RefusalReason.PEER_LIMIT, peer.getHostAddress() + " holds the maximum of "
                    + limits.maxConnectionsPerPeer() + " connections per client address");
            return null;
        }
        return peer;
    }

    private void releasePeer(InetAddress peer) {
        perPeer.computeIfPresent(peer, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** An admitted connection is gone (closed, or refused by its backend): it no longer counts against the limits. */
    private void release(InetAddress peer) {
        releasePeer(peer);
        stats.open.decrementAndGet();
    }

    /** Counts the refusal, warns (throttled), tells the client why (best effort: one small write to a fresh socket), closes. */
    private void refuse(SocketChannel ch, SocketAddress remote, RefusalReason reason, String why) {
        stats.countRefused(reason);
        warnings.warn("refused:" + reason.tag(), "refused connection from " + remote + " (" + reason.tag() + "): " + why);
        try {
            ch.configureBlocking(false);
            ch.write(ByteBuffer.wrap(RefusalMessage.of(reason, why).toBytes()));
            ch.shutdownOutput();
        } catch (IOException | RuntimeException ignored) {
            // the client is gone or its buffer is full: the close says enough
        }
        closeQuietly(ch);
    }

    /** Number of connections that {@code peer} holds now (for tests and diagnostics). */
    public int connectionsOf(InetAddress peer) {
        return perPeer.getOrDefault(peer, 0);
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
        final Queue<Incoming> incoming = new ConcurrentLinkedQueue<>();
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

        void adopt(SocketChannel ch, InetAddress peer) {
            incoming.add(new Incoming(ch, peer));
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
                    try {
                        turn();
                    } catch (RuntimeException e) {
                        // not tied to one connection (those are isolated in guarded()): the loop goes on
                        LOG.error("broker event loop " + thread.getName() + " hit an error; it continues", e);
                    }
                }
            } catch (IOException e) {
                LOG.error("broker event loop failed", e);
            } finally {
                for (Connection c : new ArrayList<>(connections)) c.shutdown("broker stopping");
                closeQuietly(selector);
            }
        }

        private void turn() throws IOException {
            long sleepMillis = gathering.isEmpty() ? 250 : millisUntil(gathering.peekFirst().flushAt);
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
                guarded(c, () -> {
                    if (key.isReadable()) c.read();
                    if (key.isValid() && key.isWritable()) c.flush();
                });
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
            sweep();
        }

        /**
         * Runs one connection's work; when it throws, that connection is closed (counted as a failure, warned about
         * with throttling) and the loop goes on with the others.
         */
        private void guarded(Connection c, Runnable work) {
            try {
                work.run();
            } catch (RuntimeException e) {
                stats.countClosed(CloseReason.FAILURE);
                warnings.warn("closed:" + CloseReason.FAILURE.tag(), "closing connection " + c.id + " from " + c.remote
                        + " after an error while serving it: " + e, e);
                c.shutdown("failed: " + e);
            }
        }

        private void serve(Connection c) {
            c.scheduled.set(false);
            guarded(c, () -> {
                if (c.closeReason != null) c.shutdown(c.closeReason);
                else c.flush();
            });
        }

        private static long millisUntil(long deadlineNanos) {
            long nanos = deadlineNanos - System.nanoTime();
            return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
        }

        private void adoptIncoming() {
            Incoming next;
            while ((next = incoming.poll()) != null) {
                SocketChannel ch = next.channel();
                Connection c = null;
                try {
                    ch.configureBlocking(false);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ch.setOption(StandardSocketOptions.SO_SNDBUF, settings.tcpSendBufferBytes());
                    c = new Connection(this, ch, next.peer());
                    c.session = backend.open(c);
                } catch (ConnectionRefusedException e) {
                    release(next.peer());
                    refuse(ch, remoteOf(ch), e.reason(), e.getMessage());
                    continue;
                } catch (IOException | RuntimeException e) {
                    release(next.peer());
                    LOG.debug("connection refused by the backend", e);
                    refuse(ch, remoteOf(ch), RefusalReason.BACKEND_ERROR, "the " + backend.name() + " backend cannot open a socket: " + e.getMessage());
                    continue;
                }
                try {
                    c.key = ch.register(selector, SelectionKey.OP_READ, c);
                } catch (IOException | RuntimeException e) {
                    c.shutdown("cannot register with the selector: " + e);
                    continue;
                }
                connections.add(c);
                Connection adopted = c;
                guarded(c, () -> {
                    if (adopted.closeReason != null) adopted.shutdown(adopted.closeReason);
                    else adopted.flush();
                });
            }
        }

        private static SocketAddress remoteOf(SocketChannel ch) {
            try {
                return ch.getRemoteAddress();
            } catch (IOException e) {
                return null;
            }
        }

        /** Closes connections that sat on a partial frame, did not authenticate in time, or idle (every 250 ms). */
        private void sweep() {
            long now = clock.millis();
            if (now - lastSweep < 250) return;
            lastSweep = now;
            long partialLimit = settings.partialFrameTimeout().toMillis();
            long authLimit = limits.authTimeout().toMillis();
            long idleLimit = limits.idleTimeout().toMillis();
            for (Connection c : new ArrayList<>(connections)) {
                guarded(c, () -> {
                    if (c.partialSince >= 0 && now - c.partialSince > partialLimit) {
                        stats.slowloris.increment();
                        c.shutdown("incomplete frame for more than " + settings.partialFrameTimeout());
                    } else if (!c.authenticated) {
                        if (c.session.authenticated()) {
                            c.authenticated = true;
                        } else if (now - c.openedAt > authLimit) {
                            close(c, CloseReason.AUTH_TIMEOUT, "not authenticated within " + limits.authTimeout());
                        }
                    } else if (idleLimit > 0 && now - c.lastInputAt > idleLimit) {
                        // a registered listener sends nothing for long periods: look again after another idle period
                        if (c.session.mayHaveRegistrations()) c.lastInputAt = now;
                        else close(c, CloseReason.IDLE, "sent nothing for " + limits.idleTimeout() + " and has no listener registration");
                    }
                });
            }
        }

        private void close(Connection c, CloseReason reason, String why) {
            stats.countClosed(reason);
            warnings.warn("closed:" + reason.tag(), "closed connection " + c.id + " from " + c.remote + " (" + reason.tag() + "): " + why);
            c.shutdown(why);
        }
    }

    private record Incoming(SocketChannel channel, InetAddress peer) {
    }

    /** One client connection = one netlink socket of the backend. Its I/O runs on its loop's thread only. */
    private final class Connection implements ClientConnection {
        final EventLoop loop;
        final SocketChannel channel;
        final long id = connectionIds.incrementAndGet();
        final SocketAddress remote;
        final SocketAddress local;
        final InetAddress peer;
        final AtomicBoolean scheduled = new AtomicBoolean();
        /** When it was accepted, and when it last sent anything ({@link #clock} millis; loop thread only). */
        final long openedAt;
        long lastInputAt;
        /** The session said so once (it stays so). */
        boolean authenticated;
        /** The session does not accept input: the socket is not read until a drain makes room. */
        boolean inputPaused;
        /** The connection waits for {@code OP_WRITE} to write its leftover. */
        boolean wantWrite;
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

        Connection(EventLoop loop, SocketChannel channel, InetAddress peer) throws IOException {
            this.loop = loop;
            this.channel = channel;
            this.peer = peer;
            this.remote = channel.getRemoteAddress();
            this.local = channel.getLocalAddress();
            this.openedAt = clock.millis();
            this.lastInputAt = openedAt;
        }

        @Override
        public SocketAddress localAddress() {
            return local;
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
            if (closed || inputPaused) return;
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
            if (n > 0) lastInputAt = clock.millis();
            stats.bytesRead.add(n);
            consumeInput();
        }

        /**
         * Hands the complete frames in the input buffer to the session (the buffer is in write mode before and after)
         * until one is incomplete or the session stops accepting input; then the socket is no longer read.
         */
        private void consumeInput() {
            in.flip();
            try {
                int frame;
                while (!closed && (frame = decoder.frameLength(in)) > 0) {
                    if (!session.acceptsInput()) {
                        inputPaused = true;
                        stats.inputPauses.increment();
                        break;
                    }
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
            if (closed) return;
            ensureRoomForNextFrame();
            in.compact();
            // a paused connection holds complete frames that the broker does not take: not the client's slowness
            partialSince = in.position() > 0 && !inputPaused ? (partialSince >= 0 ? partialSince : clock.millis()) : -1;
            updateInterest();
        }

        /** Reads on once the session accepts input again (after a drain took output). */
        private void resumeInputIfRoom() {
            if (!inputPaused || closed || !session.acceptsInput()) return;
            inputPaused = false;
            consumeInput();
        }

        /** Grows the input buffer to hold the frame whose header has arrived (never beyond one maximal frame). */
        private void ensureRoomForNextFrame() {
            int needed = READ_CHUNK;
            if (in.remaining() >= 4) needed = Math.max(needed, NetlinkHeader.alignedLength(in, in.position()));
            if (in.capacity() < needed) {
                ByteBuffer bigger = ByteBuffer.allocate(needed).order(ByteOrder.LITTLE_ENDIAN);
                bigger.put(in);
                bigger.flip();
                in = bigger;
            }
        }

        void flush() {
            flushOutput();
            resumeInputIfRoom();
        }

        private void flushOutput() {
            if (closed) return;
            try {
                if (leftover != null) {
                    stats.bytesWritten.add(channel.write(leftover));
                    stats.writes.increment();
                    if (leftover.hasRemaining()) {
                        wantWrite(true);
                        return;
                    }
                    leftover = null;
                }
                backlogged = false;
                ByteBuffer out = loop.writeBuffer;
                for (int round = 0; round < FLUSH_ROUNDS; round++) {
                    out.clear();
                    if (session.drainTo(out) == 0) {
                        wantWrite(false);
                        return;
                    }
                    out.flip();
                    stats.bytesWritten.add(channel.write(out));
                    stats.writes.increment();
                    if (out.hasRemaining()) {
                        leftover = ByteBuffer.allocate(out.remaining()).put(out).flip();
                        wantWrite(true);
                        return;
                    }
                }
                wantWrite(false);
                backlogged = true;
                outputReady(); // more pending: come back after the other connections had their turn
            } catch (IOException e) {
                shutdown("write failed: " + e.getMessage());
            }
        }

        private void wantWrite(boolean want) {
            wantWrite = want;
            updateInterest();
        }

        private void updateInterest() {
            int ops = (inputPaused ? 0 : SelectionKey.OP_READ) | (wantWrite ? SelectionKey.OP_WRITE : 0);
            if (key != null && key.isValid() && key.interestOps() != ops) key.interestOps(ops);
        }

        void shutdown(String reason) {
            if (closed) return;
            closed = true;
            if (key != null) key.cancel();
            closeQuietly(channel);
            loop.connections.remove(this);
            release(peer);
            if (session != null) {
                try {
                    session.close();
                } catch (RuntimeException e) {
                    LOG.warn("closing the session of connection " + id + " failed", e);
                }
            }
            LOG.debug("connection {} from {} closed: {}", id, remote, reason);
        }
    }
}
