package io.tsfleet.protocol.testing;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;
import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small broker for tests, on top of the protocol module: netlink over TCP, one connection = one socket with a
 * unique port id, the controller resolving {@code TASKSTATS} and {@code TSFLEET_SOCK} (ids chosen per start, so a
 * client that hard-codes them fails), token authentication (-EPERM without it), SO_RCVBUF with the kernel's queue
 * capacity, REGISTER/DEREGISTER per CPU, per-CPU u32 sequence counters that advance only while a CPU has listeners,
 * and the kernel's overflow: a full receive queue drops the event, sends one in-band ENOBUFS ahead of the queued
 * events and stays congested until the queue has been drained. Tests can also drop events on purpose
 * ({@link #dropNext}), restart the broker ({@link #restart}: a reboot, with a new boot id), write any bytes to a
 * connection ({@link #sendRaw}) and hand a registered connection's stream to a {@link Feed} of their own (a script of
 * bytes, a generated stream); every accepted REGISTER is kept as a {@link Registration}. {@code TSFLEET_SOCK CMD_GET}
 * reports a node name ({@value #DEFAULT_NODE} unless {@link #node(String)} says otherwise, or none, as an older broker)
 * and the current boot id. The listener service's tests, the protocol's broker client tests and the benchmarks'
 * stand-in emulator share it (the protocol's test-jar).
 */
public final class FakeBroker implements AutoCloseable {
    private final String token;
    private final int nrCpus;
    private final AtomicInteger portIds = new AtomicInteger(4000);
    private final AtomicInteger familyBase = new AtomicInteger(27);
    private final Map<Integer, List<Conn>> listeners = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> seqs = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> dropNext = new ConcurrentHashMap<>();
    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    /** The node this broker serves ({@code ATTR_NODE}); null: an older broker that reports neither node nor boot id. */
    private volatile String node = DEFAULT_NODE;
    /** The current boot ({@code ATTR_BOOT_ID}): a restart is a reboot. */
    private volatile UUID bootId = UUID.randomUUID();
    /** The run of the per-CPU counters, derived from the boot id: a restart starts a new one. */
    private volatile long seqEpoch = SockProtocol.seqEpochOf(bootId);
    private volatile boolean dropNextSocketStateAnswer;
    private final AtomicLong dropped = new AtomicLong();
    private volatile int taskstatsFamily;
    private volatile int sockFamily;
    private volatile ServerSocket server;
    private volatile int port;
    private volatile boolean paused;
    private final Set<Integer> pausedPorts = ConcurrentHashMap.newKeySet();
    private final Map<Integer, AtomicInteger> dropNextFor = new ConcurrentHashMap<>();
    private volatile boolean dropDeregisterAcks;
    private volatile boolean answerNoDeregister;
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private volatile Feed feed;
    /** Queued after a REGISTER's ack when a {@link Feed} is set: the connection's writer hands its socket to the feed. */
    private static final byte[] HAND_OVER_TO_FEED = new byte[0];

    /** An accepted REGISTER: the connection's port id and the cpulist as the client spelled it. */
    public record Registration(long portId, String cpulist) {
    }

    /**
     * What a connection is sent once its REGISTER has been acked, instead of waiting for {@link #exit} events: the
     * connection's writer thread calls it right after writing the ack, with the socket's stream. The feed owns the
     * stream until it returns (nothing else is written meanwhile); then the connection carries on as usual. A write
     * that fails (the client went away) closes the connection.
     */
    @FunctionalInterface
    public interface Feed {
        void feed(Registration registration, OutputStream out) throws IOException, InterruptedException;
    }

    /** The node name a fake broker reports unless told otherwise ({@link #node(String)}). */
    public static final String DEFAULT_NODE = "fake-node";

    public FakeBroker(String token, int nrCpus) {
        this.token = token;
        this.nrCpus = nrCpus;
    }

    public synchronized FakeBroker start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        for (int attempt = 0; ; attempt++) {
            try {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                break;
            } catch (java.net.BindException e) {
                if (attempt > 100) throw e;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        port = s.getLocalPort();
        server = s;
        int base = familyBase.getAndAdd(2);
        taskstatsFamily = base;
        sockFamily = base + 1;
        Thread.ofVirtual().name("fake-broker-accept").start(() -> acceptLoop(s));
        return this;
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    public int taskstatsFamily() {
        return taskstatsFamily;
    }

    public int sockFamily() {
        return sockFamily;
    }

    /** Stops listening and closes every connection: the equivalent of the broker process dying. */
    public synchronized void stop() throws IOException {
        ServerSocket s = server;
        if (s != null) s.close();
        server = null;
        for (Conn c : conns) c.close();
        conns.clear();
        listeners.clear();
    }

    /**
     * A broker restart, as a reboot of its node: every connection is gone, per-CPU sequence counters start from 0 again
     * under a new boot id (and sequence epoch), new family ids.
     */
    public synchronized void restart() throws IOException {
        stop();
        seqs.clear();
        bootId = UUID.randomUUID();
        seqEpoch = SockProtocol.seqEpochOf(bootId);
        start();
    }

    /**
     * The node name reported to connections that ask for their socket's state from now on; null makes this an older
     * broker that reports neither {@code ATTR_NODE} nor {@code ATTR_BOOT_ID}. The name is sent as it is (a test may
     * send one that is not valid).
     */
    public FakeBroker node(String name) {
        this.node = name;
        return this;
    }

    /** The node name reported, or null when none is. */
    public String node() {
        return node;
    }

    /** The current boot's id (canonical lower-case UUID); it changes at every {@link #restart}. */
    public String bootId() {
        return bootId.toString();
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    /** From now on, every accepted REGISTER hands its connection to {@code feed} after the ack (null: no more). */
    public FakeBroker feedAfterRegister(Feed feed) {
        this.feed = feed;
        return this;
    }

    /** Every accepted REGISTER so far, in order. */
    public List<Registration> registrations() {
        return List.copyOf(registrations);
    }

    /** How many connections are registered on this CPU. */
    public int listenerCount(int cpu) {
        return listeners.getOrDefault(cpu, List.of()).size();
    }

    /** Waits until the CPU has exactly {@code n} listeners. */
    public void awaitListeners(int cpu, int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (listenerCount(cpu) != n) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("cpu " + cpu + " has " + listenerCount(cpu) + " listeners, expected " + n);
            }
            Thread.sleep(5);
        }
    }

    /** The next {@code n} events on {@code cpu} are dropped for every listener (the counter still advances). */
    public void dropNext(int cpu, int n) {
        dropNext.computeIfAbsent(cpu, c -> new AtomicInteger()).addAndGet(n);
    }

    /** While paused, connections do not write (their queues fill and overflow). */
    public void pauseDelivery(boolean paused) {
        this.paused = paused;
    }

    /** While paused, this one connection (port id) does not write: its records wait in its queue. */
    public void pauseDeliveryTo(long portId, boolean paused) {
        if (paused) pausedPorts.add((int) portId);
        else pausedPorts.remove((int) portId);
    }

    /** The next {@code n} events of any CPU are dropped for this one connection (port id) only, as an overflow would. */
    public void dropNextFor(long portId, int n) {
        dropNextFor.computeIfAbsent((int) portId, p -> new AtomicInteger()).addAndGet(n);
    }

    /** Acks of DEREGISTER are dropped, as a congested netlink queue drops them (the drained marker still comes). */
    public void dropDeregisterAcks(boolean on) {
        dropDeregisterAcks = on;
    }

    /**
     * A broker that never answers a DEREGISTER: the connection is deregistered (no new event queues for it), but
     * neither the ack nor the drained marker asked for after it ever comes. Records queued before it are still
     * delivered.
     */
    public void answerNoDeregister(boolean on) {
        answerNoDeregister = on;
    }

    /**
     * The answer to the next {@code TSFLEET_SOCK CMD_GET} is dropped, and so is the error that replaces it, both
     * counted in that connection's drops, as the emulated kernel does when they find the receive queue full.
     */
    public void dropNextSocketStateAnswer() {
        dropNextSocketStateAnswer = true;
    }

    /**
     * Closes one connection (port id), as a network failure would: the broker and its counters live on. The CPU's
     * counter keeps advancing only if another connection listens on it.
     */
    public void disconnect(long portId) {
        for (Conn c : conns) if (c.portId == (int) portId) c.close();
    }

    /**
     * Writes {@code bytes} to the connection with port id {@code portId} as they are (a frame split across writes, a
     * malformed or truncated frame), past the queue; for tests that do nothing else on that connection meanwhile.
     */
    public void sendRaw(long portId, byte[] bytes) throws IOException {
        for (Conn c : conns) {
            if (c.portId != (int) portId) continue;
            synchronized (c.writeLock) {
                OutputStream os = c.socket.getOutputStream();
                os.write(bytes);
                os.flush();
            }
            return;
        }
        throw new IOException("no connection with port id " + Integer.toUnsignedString((int) portId));
    }

    public long dropped() {
        return dropped.get();
    }

    /** The next sequence number the CPU will assign. */
    public long nextSeq(int cpu) {
        return Integer.toUnsignedLong(seqs.computeIfAbsent(cpu, c -> new AtomicInteger()).get());
    }

    /** Sets the CPU's counter (to test the u32 wrap). */
    public void setSeq(int cpu, long seq) {
        seqs.computeIfAbsent(cpu, c -> new AtomicInteger()).set((int) seq);
    }

    /**
     * A task exits on {@code cpu}: with listeners, the CPU's counter advances and the event is delivered to each
     * (unless dropped); returns the seq used, or -1 without listeners (the kernel then does not count).
     */
    public long exit(int cpu, long pid, String comm, boolean lastThreadOfGroup) {
        List<Conn> ls = listeners.getOrDefault(cpu, List.of());
        if (ls.isEmpty()) return -1;
        int seq = seqs.computeIfAbsent(cpu, c -> new AtomicInteger()).getAndIncrement();
        Taskstats stats = Taskstats.builder()
                .set(TaskstatsField.AC_PID, pid).set(TaskstatsField.AC_TGID, pid).set(TaskstatsField.AC_EXITCODE, 256)
                .set(TaskstatsField.CPU_DELAY_TOTAL, 1_000_000L + pid).set(TaskstatsField.BLKIO_DELAY_TOTAL, 2_000_000L)
                .set(TaskstatsField.CPU_COUNT, cpu).set(TaskstatsField.AC_FLAG, TaskstatsProtocol.AGROUP).comm(comm).build();
        TaskstatsEvent ev = lastThreadOfGroup
                ? TaskstatsEvent.exitWithGroup(seq, pid, stats, pid, Taskstats.builder().set(TaskstatsField.CPU_COUNT, 7)
                        .set(TaskstatsField.CPU_DELAY_TOTAL, 42).build())
                : TaskstatsEvent.exit(seq, pid, stats);
        byte[] bytes = ev.encode(taskstatsFamily).toBytes();
        AtomicInteger drop = dropNext.get(cpu);
        int before = drop == null ? 0 : drop.getAndUpdate(v -> v > 0 ? v - 1 : 0);
        for (Conn c : ls) {
            AtomicInteger dropFor = dropNextFor.get(c.portId);
            if (before > 0) c.dropOnPurpose(before == 1);
            else if (dropFor != null && dropFor.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0) c.dropEvent();
            else c.offerEvent(bytes);
        }
        return Integer.toUnsignedLong(seq);
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket sock = s.accept();
                Conn c = new Conn(sock, portIds.getAndIncrement());
                conns.add(c);
                c.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One client connection = one netlink socket. */
    private final class Conn {
        final Socket socket;
        final int portId;
        /** Held while writing, so that {@link #sendRaw} bytes never land inside another message. */
        final Object writeLock = new Object();
        final LinkedBlockingDeque<byte[]> out = new LinkedBlockingDeque<>();
        final AtomicInteger queuedEvents = new AtomicInteger();
        volatile boolean authenticated;
        volatile int rcvbuf = SockProtocol.effectiveRcvbuf(SockProtocol.DEFAULT_RMEM / 2, SockProtocol.DEFAULT_RMEM, false);
        volatile boolean congested;
        volatile boolean overrunPending;
        /** Events dropped for this connection ({@code sk_drops}, reported as {@code ATTR_DROPS}). */
        volatile long socketDrops;
        volatile boolean closed;
        /** The drained marker asked for by RECV_PAUSED=0: written once the queue is empty, or null. */
        volatile Integer markerSeq;
        /** Deregistered without an answer ({@link #answerNoDeregister}): no drained marker either. */
        volatile boolean silent;
        /** The registration whose ack {@link #HAND_OVER_TO_FEED} follows in the queue. */
        volatile Registration toFeed;
        final CpuSet.Builder registered = CpuSet.builder();

        Conn(Socket socket, int portId) {
            this.socket = socket;
            this.portId = portId;
        }

        void start() {
            Thread.ofVirtual().name("fake-broker-read-" + portId).start(this::readLoop);
            Thread.ofVirtual().name("fake-broker-write-" + portId).start(this::writeLoop);
        }

        int capacity() {
            return SockProtocol.queueCapacity(rcvbuf, TaskstatsProtocol.EVENT_TRUESIZE);
        }

        synchronized void offerEvent(byte[] bytes) {
            if (closed) return;
            if (congested || queuedEvents.get() >= capacity()) {
                dropEvent();
                return;
            }
            queuedEvents.incrementAndGet();
            out.add(bytes);
        }

        /** A drop of {@link #dropNext}: one ENOBUFS for the whole episode, after its last drop. */
        synchronized void dropOnPurpose(boolean lastOfEpisode) {
            dropped.incrementAndGet();
            socketDrops++;
            if (lastOfEpisode) overrunPending = true;
        }

        synchronized void dropEvent() {
            dropped.incrementAndGet();
            socketDrops++;
            if (!congested) overrunPending = true;
            congested = true;
        }

        void reply(NetlinkMessage m) {
            out.add(m.toBytes());
        }

        void writeLoop() {
            try (OutputStream os = socket.getOutputStream()) {
                while (!closed) {
                    if (paused || pausedPorts.contains(portId)) {
                        Thread.sleep(2);
                        continue;
                    }
                    if (overrunPending) {
                        synchronized (this) {
                            overrunPending = false;
                        }
                        synchronized (writeLock) {
                            os.write(NetlinkError.overrun().toBytes());
                        }
                        synchronized (this) {
                            if (queuedEvents.get() == 0) congested = false; // the reader drained the queue
                        }
                    }
                    Integer marker = markerSeq;
                    if (marker != null && out.isEmpty()) {
                        markerSeq = null;
                        synchronized (writeLock) {
                            os.write(new NetlinkMessage(Netlink.NLMSG_NOOP, 0, marker, portId, new byte[0]).toBytes());
                        }
                    }
                    byte[] b = out.poll(20, TimeUnit.MILLISECONDS);
                    if (b == null) continue;
                    if (b == HAND_OVER_TO_FEED) {
                        Feed f = feed;
                        if (f != null) f.feed(toFeed, os);
                        continue;
                    }
                    if (paused || pausedPorts.contains(portId)) { // paused while this thread waited
                        out.addFirst(b);
                        continue;
                    }
                    boolean event = b.length >= 6 && (Short.toUnsignedInt(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(4)) == taskstatsFamily)
                            && ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(12) == 0;
                    synchronized (writeLock) {
                        os.write(b);
                    }
                    if (event) {
                        synchronized (this) {
                            if (queuedEvents.decrementAndGet() == 0) congested = false;
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                close();
            }
        }

        void readLoop() {
            NetlinkStreamDecoder decoder = new NetlinkStreamDecoder();
            ByteBuffer in = ByteBuffer.allocate(1 << 18).order(ByteOrder.LITTLE_ENDIAN);
            byte[] chunk = new byte[8192];
            try (InputStream is = socket.getInputStream()) {
                while (!closed) {
                    int n = is.read(chunk);
                    if (n < 0) break;
                    in.put(chunk, 0, n);
                    in.flip();
                    NetlinkMessage m;
                    while ((m = decoder.next(in)) != null) handle(m);
                    in.compact();
                }
            } catch (Exception e) {
                // connection gone or malformed input: the socket is closed
            } finally {
                close();
            }
        }

        void handle(NetlinkMessage m) throws Exception {
            if (m.type() == Netlink.GENL_ID_CTRL) {
                GenlMessage g = GenlMessage.of(m);
                String name = g.attributes(false).last(Netlink.CTRL_ATTR_FAMILY_NAME).map(NlAttribute::string).orElse("");
                int id = name.equals(TaskstatsProtocol.FAMILY_NAME) ? taskstatsFamily : name.equals(SockProtocol.FAMILY_NAME) ? sockFamily : -1;
                if (id < 0) {
                    reply(NetlinkError.ackFor(m, Errno.ENOENT.negative(), portId));
                    return;
                }
                reply(MessageBuilder.genl(Netlink.CTRL_CMD_NEWFAMILY, 2).u16(Netlink.CTRL_ATTR_FAMILY_ID, id)
                        .string(Netlink.CTRL_ATTR_FAMILY_NAME, name).build(Netlink.GENL_ID_CTRL, 0, m.seq(), portId));
                ackIfAsked(m);
            } else if (m.type() == sockFamily) {
                handleSock(m);
            } else if (m.type() == taskstatsFamily) {
                handleTaskstats(m);
            } else {
                reply(NetlinkError.ackFor(m, Errno.EINVAL.negative(), portId));
            }
        }

        void handleSock(NetlinkMessage m) throws Exception {
            GenlMessage g = GenlMessage.of(m);
            AttributeList a = g.attributes(false);
            switch (g.cmd()) {
                case SockProtocol.CMD_AUTH -> {
                    String t = a.last(SockProtocol.ATTR_TOKEN).map(NlAttribute::string).orElse("");
                    if (token != null && token.equals(t)) {
                        authenticated = true;
                        ackIfAsked(m);
                    } else {
                        reply(NetlinkError.ackFor(m, Errno.EPERM.negative(), portId));
                    }
                }
                case SockProtocol.CMD_SET -> {
                    Optional<NlAttribute> force = a.last(SockProtocol.ATTR_RCVBUFFORCE);
                    if (force.isPresent() && token != null && !authenticated) {
                        reply(NetlinkError.ackFor(m, Errno.EPERM.negative(), portId));
                        return;
                    }
                    force.ifPresent(f -> rcvbuf = SockProtocol.effectiveRcvbuf(f.u32(), SockProtocol.DEFAULT_RMEM, true));
                    a.last(SockProtocol.ATTR_RCVBUF).ifPresent(f -> rcvbuf = SockProtocol.effectiveRcvbuf(f.u32(), SockProtocol.DEFAULT_RMEM, false));
                    a.last(SockProtocol.ATTR_RECV_PAUSED).filter(f -> f.u32() == 0 && !silent).ifPresent(f -> markerSeq = m.seq());
                    ackIfAsked(m);
                }
                case SockProtocol.CMD_GET -> {
                    if (dropNextSocketStateAnswer) {
                        dropNextSocketStateAnswer = false;
                        socketDrops += 2;
                        return;
                    }
                    MessageBuilder state = MessageBuilder.genl(SockProtocol.CMD_NEW, SockProtocol.GENL_VERSION)
                        .u32(SockProtocol.ATTR_RCVBUF, rcvbuf).u32(SockProtocol.ATTR_NO_ENOBUFS, 0).u32(SockProtocol.ATTR_PORT_ID, portId)
                        .u32(SockProtocol.ATTR_AUTHENTICATED, authenticated || token == null ? 1 : 0)
                        .attribute(SockProtocol.ATTR_DROPS, java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(socketDrops).array())
                        .attribute(SockProtocol.ATTR_SEQ_EPOCH, java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(seqEpoch).array());
                    String nodeName = node;
                    if (nodeName != null && (authenticated || token == null)) { // as the brokers: to a privileged connection only
                        state.string(SockProtocol.ATTR_NODE, nodeName).string(SockProtocol.ATTR_BOOT_ID, bootId.toString());
                    }
                    reply(state.build(sockFamily, 0, m.seq(), portId));
                }
                default -> reply(NetlinkError.ackFor(m, Errno.EOPNOTSUPP.negative(), portId));
            }
        }

        void handleTaskstats(NetlinkMessage m) throws Exception {
            if (token != null && !authenticated) {
                reply(NetlinkError.ackFor(m, Errno.EPERM.negative(), portId));
                return;
            }
            AttributeList a = GenlMessage.of(m).attributes(false);
            Optional<NlAttribute> reg = a.last(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK);
            Optional<NlAttribute> dereg = a.last(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK);
            if (reg.isEmpty() && dereg.isEmpty()) {
                reply(NetlinkError.ackFor(m, Errno.EINVAL.negative(), portId));
                return;
            }
            CpuSet mask;
            try {
                mask = CpulistParser.parseAttribute((reg.isPresent() ? reg : dereg).get().value(), nrCpus, nrCpus);
            } catch (CpulistParseException e) {
                reply(NetlinkError.ackFor(m, e.errno().negative(), portId));
                return;
            }
            synchronized (FakeBroker.this) {
                for (int cpu : mask.toArray()) {
                    List<Conn> ls = listeners.computeIfAbsent(cpu, c -> new CopyOnWriteArrayList<>());
                    if (reg.isPresent()) {
                        if (!ls.contains(this)) ls.addFirst(this);
                        registered.add(cpu);
                    } else {
                        ls.remove(this);
                        registered.remove(cpu);
                    }
                }
            }
            if (dereg.isPresent() && answerNoDeregister) {
                silent = true;
                return;
            }
            if (dereg.isPresent() && dropDeregisterAcks) return;
            Registration r = reg.isPresent() ? new Registration(Integer.toUnsignedLong(portId), reg.get().string()) : null;
            if (r != null) registrations.add(r);           // before the ack: a client that has its ack finds it here
            ackIfAsked(m);
            if (r != null && feed != null) {
                toFeed = r;
                out.add(HAND_OVER_TO_FEED);
            }
        }

        void ackIfAsked(NetlinkMessage m) {
            if ((m.flags() & Netlink.NLM_F_ACK) != 0) reply(NetlinkError.ackFor(m, 0, portId));
        }

        void close() {
            if (closed) return;
            closed = true;
            synchronized (FakeBroker.this) {
                for (List<Conn> ls : listeners.values()) ls.remove(this);
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** For assertions: the CPUs that have any listener. */
    public List<Integer> cpusWithListeners() {
        List<Integer> out = new ArrayList<>();
        listeners.forEach((cpu, ls) -> {
            if (!ls.isEmpty()) out.add(cpu);
        });
        return out;
    }
}
