package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.BrokerSession;
import io.tsfleet.emulator.broker.ClientConnection;
import io.tsfleet.emulator.live.netlink.LiveNetlinkSocket;
import io.tsfleet.emulator.live.netlink.NativeErrnoException;
import io.tsfleet.emulator.live.netlink.NetlinkPoller;
import io.tsfleet.emulator.live.netlink.Received;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkHeader;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One broker connection bound to its own kernel socket.
 *
 * <p>Requests: each message is routed by {@link RequestRouter}; forwarded ones are {@code send()} to the kernel as one
 * datagram each, and the kernel's answer lands on the socket. Output: the socket is drained as soon as it is readable,
 * on the poller's thread ({@link #pump}): datagrams are {@code recv}ed into the connection's backlog until {@code EAGAIN}
 * or until the backlog holds {@code backlogBytes} (or all connections' backlogs together {@code backlogTotalBytes});
 * the server's {@link #drainTo} then hands the backlog to the client and continues reading the socket once the backlog
 * is empty. A client that falls behind therefore does not keep the kernel queue full: the backlog takes the
 * difference. Only beyond it do events stay in the kernel's own receive queue, which overflows exactly as it would for
 * a local listener ({@code SO_RCVBUF}, {@code sk_drops}). After an overrun the socket is read empty whatever its own
 * backlog (only the total bounds it): the kernel drops every event for a congested socket until its queue has been
 * read empty, so a reader that stops early turns one overflow into a long loss. The kernel's
 * {@code ENOBUFS} becomes the in-band {@link NetlinkError#overrun()} message at the position where {@code recv}
 * reported it.
 *
 * <p>The backend's own answers are queued behind whatever the kernel has already queued (the kernel answers a request
 * inside {@code send}, so its earlier replies are on the socket), keeping the client's view in request order.
 * {@code RECV_PAUSED} (the broker's TSFLEET_SOCK extension for exact overflow tests over TCP) stops taking datagrams
 * from the kernel socket, so the kernel's own queue fills and overflows while the client is paused.
 *
 * <p>Bounds: the server stops reading the client's requests while {@link #pending} holds {@code backlogBytes} or more
 * ({@link #acceptsInput}), so a client that writes requests and never reads the answers cannot grow it beyond that by
 * more than one answer and what the kernel had already queued on the socket; the answers held while the client has
 * paused reading are bounded by the same number of bytes: one beyond it is dropped (counted, as the kernel drops a
 * reply that does not fit a full receive queue) and the client later reads the in-band overrun report in its place.
 *
 * <p>On close, a socket that may have registered is deregistered from every possible CPU before it is closed, so no
 * stale registration is left for a later socket that the kernel autobinds to the same port id.
 */
final class KernelSession implements BrokerSession {
    private static final Logger LOG = LoggerFactory.getLogger(KernelSession.class);
    private static final byte[] OVERRUN = NetlinkError.overrun().toBytes();
    /** The least room for held answers, whatever the backlog setting (tests run with backlogs of a few bytes). */
    private static final int MIN_HELD_BYTES = 64 * 1024;

    private final ClientConnection connection;
    private final LiveNetlinkSocket socket;
    private final LiveSocketControl control;
    private final RequestRouter router;
    private final ConnectionPrivilege privilege;
    private final String deregisterCpulist;
    private final KernelBackendStats stats;
    private final ReentrantLock lock = new ReentrantLock();
    private final int backlogBytes;
    private final long backlogTotalBytes;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    /** The bytes in {@link #pending}. */
    private long pendingBytes;
    /** The kernel reported an overrun and the socket has not been read empty since (the kernel drops everything meanwhile). */
    private boolean congested;
    /** The backend's own answers produced while the client has paused reading; released on resume. */
    private final ArrayDeque<byte[]> held = new ArrayDeque<>();
    /** The bytes in {@link #held}. */
    private long heldBytes;
    /** An answer was dropped from {@link #held} since it was last released (its overrun report is queued there). */
    private boolean heldOverrun;
    /** The sequence number of a resume whose {@code NLMSG_NOOP} marker is due when the kernel queue is next empty. */
    private Integer resumeMarkerSeq;
    private NetlinkPoller.Registration readiness;
    private boolean mayHaveRegistrations;
    private boolean closed;

    KernelSession(ClientConnection connection, LiveNetlinkSocket socket, LiveSocketControl control, RequestRouter router,
                  ConnectionPrivilege privilege, String deregisterCpulist, int backlogBytes, long backlogTotalBytes,
                  KernelBackendStats stats) {
        this.connection = connection;
        this.backlogBytes = backlogBytes;
        this.backlogTotalBytes = backlogTotalBytes;
        this.socket = socket;
        this.control = control;
        this.router = router;
        this.privilege = privilege;
        this.deregisterCpulist = deregisterCpulist;
        this.stats = stats;
    }

    /** Starts watching the socket (the registration is armed: the first datagram triggers {@link #pump}). */
    void watch(NetlinkPoller poller) throws IOException {
        readiness = poller.register(socket, this::pump);
    }

    /**
     * The socket is readable (poller thread): takes what the kernel has queued into the backlog, to {@code EAGAIN} (then
     * the poller watches the socket again) or until the backlog is full and no overrun is pending (then {@link #drainTo}
     * continues once the client has taken the backlog), and tells the server that output is ready.
     */
    private void pump() {
        runLocked("receive failed", () -> {
            if (closed || control.recvPaused()) return false;
            boolean full = false;
            while (true) {
                if (pendingBytes >= backlogBytes && !congested || stats.backlogBytes.get() >= backlogTotalBytes) {
                    stats.backlogFull.increment();
                    full = true;
                    break;
                }
                if (!takeOne()) {
                    readiness.rearm();
                    break;
                }
            }
            // a full backlog leaves the socket unwatched: drainTo reads on at the client's pace (also when the total,
            // not this connection, is full and nothing of this connection's is pending)
            return full || !pending.isEmpty();
        });
    }

    /** A step under the session's lock; true when it made output available. */
    private interface LockedStep {
        boolean run() throws IOException;
    }

    /** Runs {@code step} under the lock, then tells the server about new output, or closes the connection if it failed. */
    private void runLocked(String failing, LockedStep step) {
        boolean ready = false;
        String failure = null;
        lock.lock();
        try {
            ready = step.run();
        } catch (IOException e) {
            failure = failing + ": " + e.getMessage();
        } finally {
            lock.unlock();
        }
        if (failure != null) fail(failure);
        else if (ready) connection.outputReady();
    }

    @Override
    public int portId() {
        return socket.portId();
    }

    @Override
    public void onRequest(NetlinkMessage request) {
        runLocked("request failed", () -> {
            if (closed) return false;
            return switch (router.route(request, control, privilege)) {
                case RequestRouter.Forward f -> {
                    mayHaveRegistrations |= f.mayRegister();
                    stats.requestsForwarded.increment();
                    forward(request);
                    yield false;
                }
                case RequestRouter.Answer a -> {
                    stats.requestsAnswered.increment();
                    yield answer(request, a.messages());
                }
            };
        });
    }

    /**
     * Queues the backend's answer behind the kernel's output (lock held); returns whether output became available.
     * A change of {@code RECV_PAUSED} releases everything queued so far, answer included, then holds (pause) or marks
     * with an {@code NLMSG_NOOP} the point where {@code recv} found the kernel queue empty (resume; when the bounded
     * read stopped before that, {@link #drainTo} emits the marker at the next {@code EAGAIN}). While paused, answers are held without reading the kernel socket, which keeps the kernel's queue
     * accounting exact; on resume they follow the kernel's output.
     */
    private boolean answer(NetlinkMessage request, List<NetlinkMessage> messages) throws IOException {
        Boolean pause = control.takeRequestedRecvPaused();
        if (pause != null) {
            boolean emptied = pullKernelOutput();
            for (byte[] h : held) enqueue(h);
            releaseHeld();
            for (NetlinkMessage m : messages) enqueue(m.toBytes());
            resumeMarkerSeq = null;
            if (!pause && emptied) enqueue(marker(request.seq()));
            else if (!pause) resumeMarkerSeq = request.seq();
            control.setRecvPaused(pause);
            return true;
        }
        if (messages.isEmpty()) return false;
        if (control.recvPaused()) {
            for (NetlinkMessage m : messages) hold(m.toBytes());
            return false;
        }
        pullKernelOutput();
        for (NetlinkMessage m : messages) enqueue(m.toBytes());
        return true;
    }

    private void forward(NetlinkMessage request) throws IOException {
        try {
            socket.send(request);
        } catch (NativeErrnoException e) {
            // send() itself failed (e.g. ENOMEM, EMSGSIZE): the client cannot see a send() error on a byte stream, so
            // it gets the errno as the answer to that request
            if (answer(request, List.of(NetlinkError.ackFor(request, -e.errno(), socket.portId())))) connection.outputReady();
        }
    }

    /**
     * Moves what the kernel has queued into {@link #pending}, in order (lock held): until {@code EAGAIN}, or at most as
     * many datagrams as the receive buffer can have held when this was called (no datagram is charged less than 256
     * bytes), so that an exit storm arriving meanwhile cannot keep the caller reading forever. Returns whether the
     * queue was found empty.
     */
    private boolean pullKernelOutput() throws IOException {
        int limit = socket.receiveBuffer() / 256 + 16;
        for (int i = 0; i < limit; i++) {
            if (!takeOne()) return true;
        }
        return false;
    }

    /** The resume marker: {@code NLMSG_NOOP}, 16 bytes, the resume request's seq and the socket's port id. */
    private byte[] marker(int seq) {
        return new NetlinkMessage(Netlink.NLMSG_NOOP, 0, seq, socket.portId(), new byte[0]).toBytes();
    }

    /** Receives one datagram (or overrun) into {@link #pending}; false when the socket is empty (lock held). */
    private boolean takeOne() throws IOException {
        Received r = socket.tryReceive();
        switch (r) {
            case Received.Datagram d -> {
                if (d.truncated()) {
                    stats.truncatedDatagrams.increment();
                    LOG.warn("dropped a truncated kernel datagram of " + d.datagramLength() + " bytes on port id " + portIdText());
                } else {
                    enqueueDatagram(d.bytes());
                }
                return true;
            }
            case Received.Overrun o -> {
                stats.overruns.increment();
                congested = true;
                enqueue(OVERRUN);
                return true;
            }
            case Received.Nothing n -> {
                congested = false;
                return false;
            }
            case Received.Closed c -> {
                return false;
            }
        }
    }

    /**
     * Queues a datagram's messages one by one (each padded to the netlink alignment, as in the stream), so that a
     * drain never has to split a datagram; counts messages and exit events.
     */
    private void enqueueDatagram(byte[] datagram) {
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (pos + Netlink.NLMSG_HDRLEN <= datagram.length) {
            int len = NetlinkHeader.length(b, pos);
            if (len < Netlink.NLMSG_HDRLEN || len > datagram.length - pos) break;
            stats.messagesForwarded.increment();
            boolean event = NetlinkHeader.type(b, pos) == router.taskstatsFamilyId() && NetlinkHeader.portId(b, pos) == 0
                    && len > Netlink.NLMSG_HDRLEN && Byte.toUnsignedInt(b.get(pos + 16)) == TaskstatsProtocol.CMD_NEW;
            if (event) stats.eventsForwarded.increment();
            enqueue(Arrays.copyOfRange(datagram, pos, pos + Netlink.align(len)));
            pos += Netlink.align(len);
        }
    }

    @Override
    public int drainTo(ByteBuffer out) {
        int written = 0;
        boolean more = false;
        String failure = null;
        lock.lock();
        try {
            while (true) {
                byte[] chunk = pending.peek();
                if (chunk != null) {
                    if (chunk.length > out.remaining() && written == 0) {
                        // the server offers more than any message the kernel can send; a caller that offers less
                        // would never take this one, so it is dropped and counted rather than blocking the stream
                        dequeue();
                        stats.oversizedMessages.increment();
                        LOG.warn("dropped a message of " + chunk.length + " bytes larger than the " + out.remaining()
                                + "-byte drain buffer on port id " + portIdText());
                        continue;
                    }
                    if (chunk.length > out.remaining()) {
                        more = true;
                        break;
                    }
                    out.put(chunk);
                    dequeue();
                    written += chunk.length;
                    continue;
                }
                if (closed || control.recvPaused()) break;
                if (!takeOne()) {
                    if (resumeMarkerSeq != null) {
                        enqueue(marker(resumeMarkerSeq));
                        resumeMarkerSeq = null;
                        continue;
                    }
                    readiness.rearm();
                    break;
                }
            }
        } catch (IOException e) {
            failure = "receive failed: " + e.getMessage();
        } finally {
            lock.unlock();
        }
        if (failure != null) fail(failure);
        else if (more) connection.outputReady();
        return written;
    }

    private void fail(String reason) {
        LOG.warn("kernel socket " + portIdText() + ": " + reason + "; closing the connection");
        connection.close(reason);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            if (readiness != null) readiness.close();
            if (mayHaveRegistrations) deregisterEverywhere();
            socket.close();
            stats.backlogBytes.addAndGet(-pendingBytes);
            pending.clear();
            pendingBytes = 0;
            releaseHeld();
            stats.sockets.decrementAndGet();
        } finally {
            lock.unlock();
        }
    }

    private void deregisterEverywhere() {
        NetlinkMessage deregister = MessageBuilder.genl(TaskstatsProtocol.CMD_GET, TaskstatsProtocol.GENL_VERSION)
                .string(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK, deregisterCpulist)
                .build(router.taskstatsFamilyId(), Netlink.NLM_F_REQUEST, 0, 0);
        try {
            socket.send(deregister);
        } catch (IOException e) {
            LOG.warn("could not deregister kernel socket " + portIdText() + " before closing it: " + e.getMessage());
        }
    }

    /**
     * Holds an answer while the client has paused reading (lock held): up to {@code backlogBytes}; beyond, it is dropped
     * and counted, and the first drop since the last release holds the in-band overrun report in its place.
     */
    private void hold(byte[] message) {
        if (heldBytes + message.length > Math.max(backlogBytes, MIN_HELD_BYTES)) {
            stats.droppedAnswers.increment();
            if (!heldOverrun) {
                heldOverrun = true;
                held.add(OVERRUN);
                heldBytes += OVERRUN.length;
            }
            return;
        }
        held.add(message);
        heldBytes += message.length;
    }

    private void releaseHeld() {
        held.clear();
        heldBytes = 0;
        heldOverrun = false;
    }

    /**
     * Whether the server may hand this session more requests: not while the client's backlog holds
     * {@code backlogBytes} or more (see the class comment). An empty backlog always accepts, whatever the setting.
     */
    @Override
    public boolean acceptsInput() {
        lock.lock();
        try {
            return pendingBytes == 0 || pendingBytes < backlogBytes;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean authenticated() {
        return privilege.privileged();
    }

    @Override
    public boolean mayHaveRegistrations() {
        lock.lock();
        try {
            return mayHaveRegistrations;
        } finally {
            lock.unlock();
        }
    }

    /** The bytes queued for the client now: its backlog and the answers held while it paused (for tests and metrics). */
    long queuedBytes() {
        lock.lock();
        try {
            return pendingBytes + heldBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Appends one message to the client's backlog (lock held). */
    private void enqueue(byte[] message) {
        pending.add(message);
        pendingBytes += message.length;
        stats.backlogBytes.addAndGet(message.length);
    }

    /** Removes the backlog's head (lock held). */
    private void dequeue() {
        byte[] m = pending.poll();
        if (m == null) return;
        pendingBytes -= m.length;
        stats.backlogBytes.addAndGet(-m.length);
    }

    private String portIdText() {
        return Integer.toUnsignedString(socket.portId());
    }
}
