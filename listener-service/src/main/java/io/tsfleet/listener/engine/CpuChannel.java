package io.tsfleet.listener.engine;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedRunnable;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.tsfleet.listener.domain.CpuSequenceLedger;
import io.tsfleet.listener.domain.CpuSequenceLedger.ShutdownOutcome;
import io.tsfleet.listener.domain.CpuSequenceLedger.Verdict;
import io.tsfleet.listener.domain.CpuState;
import io.tsfleet.listener.domain.CpuState.Ending;
import io.tsfleet.listener.domain.CpuState.Owned;
import io.tsfleet.listener.domain.CpuState.Released;
import io.tsfleet.listener.domain.CpuState.Releasing;
import io.tsfleet.listener.domain.DropCountRequests;
import io.tsfleet.listener.domain.FenceOutcome;
import io.tsfleet.listener.domain.HeldRecord;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.protocol.client.BrokerClient;
import io.tsfleet.protocol.client.BrokerRefusedException;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkHeader;
import io.tsfleet.protocol.netlink.U32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One CPU of the replica: one broker connection registered on this single CPU, so every record and every gap on it
 * is attributable (a socket on several CPUs could not tell which CPU a gap belongs to). A virtual thread connects (Resilience4j retry, exponential backoff
 * with jitter), handshakes, registers, and then reads: each frame is decoded in place, accounted by the CPU's
 * {@link CpuSequenceLedger} and, when kept, copied into a sink batch. After a broker restart the connection fails and
 * the channel reconnects and registers again (a new run of sequence numbers).
 *
 * <p>Where the CPU stands is its {@link CpuState}, held by the ledger: the channel asks for the transitions
 * (connecting, registered, connection lost, fence, shutdown, deregistered) and does the I/O they call for.
 *
 * <p>A CPU that is leaving (handover) is never reconnected: if its connection breaks before the fence, the handover
 * is aborted and counted. As soon as the fence is known, the channel sends DEREGISTER, without waiting to see the
 * records below the fence: every one of them was sequenced before the new owner registered, so it is already queued
 * on this connection or was dropped by the broker (overflow). No new event queues for this connection after the
 * deregistration, so the broker's answer to it (the ack, or, if a congested queue dropped the ack, the drained marker
 * of {@code TSFLEET_SOCK} {@code RECV_PAUSED=0} sent right after it) comes after every record the connection will
 * ever get: at that point the records below the fence that never came are counted as lost and the CPU is released.
 * An overloaded owner thus stops receiving (and overflowing on) a CPU the moment it learns the fence, while it reads
 * its backlog of the CPU at its own pace.
 */
public final class CpuChannel {
    private static final Logger log = LoggerFactory.getLogger(CpuChannel.class);

    /** How far the shutdown of this channel has come (the CPU's own state is the ledger's {@link CpuState}). */
    private enum Stopping {
        /** Not shutting down. */
        NO,
        /** Deregistering: read until the broker's answer, bounded by {@link #deregisterAndStop}. */
        DEREGISTERING,
        /** Gave up waiting for the sink: read on without waiting for it, counting what it cannot take. */
        DISCARDING,
        /** Closing now. */
        STOPPED
    }

    private final int cpu;
    private final String cpulist;
    /** The node whose CPU this is: the slot is (node, cpu). */
    private final NodeSlots slots;
    /** "node n cpu c", for the logs. */
    private final String name;
    private final ChannelSettings settings;
    private final ChannelContext context;
    private final SinkFanOut pipeline;
    private final LongSupplier nanoTime;
    private final CpuSequenceLedger ledger;
    private final ExitRecordView view = new ExitRecordView();
    private final DropCountRequests dropCountRequests = new DropCountRequests();
    private final long createdNanos;

    private volatile Stopping stopping = Stopping.NO;
    private volatile BrokerClient connection;
    /**
     * The node and boot the current connection's broker reported: every record read on it carries them. Set by the
     * reader after each handshake, before any record of the connection; records held back are published before the
     * next connection is made, so they carry their own connection's origin too.
     */
    private volatile RecordOrigin origin = RecordOrigin.UNKNOWN;
    private volatile String lastError;
    private volatile int portId;
    private volatile int receiveBuffer;
    private volatile int registerSeq;
    private volatile int deregisterSeq;
    private volatile int drainMarkerSeq;
    private volatile long lastFrameNanos;
    /** The first record since the acquisition has been announced to the engine (the reader thread only). */
    private boolean firstRecordAnnounced;
    private volatile long releaseStartedNanos;
    private volatile long dropCountAskedNanos = Long.MIN_VALUE / 2;
    /** Registrations acknowledged so far (the reader's thread only). */
    private int registrations;
    private long lostConnectionNanos = -1;
    /** When the frames at hand were read from the broker: wall clock, ns since the epoch (one clock read per receive). */
    private long receivedEpochNanos;
    private SinkBatch batch;
    private Thread thread;

    CpuChannel(NodeSlots slots, int cpu, ChannelContext context) {
        this.cpu = cpu;
        this.slots = slots;
        this.name = "node " + slots.node() + " cpu " + cpu;
        this.cpulist = Integer.toString(cpu);
        this.context = context;
        this.settings = context.settings();
        this.pipeline = context.pipeline();
        this.nanoTime = context.nanoTime();
        this.ledger = new CpuSequenceLedger(cpu, context.totals(), settings.holdbackRecords(), context.holdbackBudget());
        this.createdNanos = nanoTime.getAsLong();
    }

    void start() {
        thread = Thread.ofVirtual().name("cpu-" + slots.node() + "-" + cpu).start(this::run);
    }

    int cpu() {
        return cpu;
    }

    /** The node of this slot. */
    NodeSlots slots() {
        return slots;
    }

    long recordsKept() {
        return ledger.recordsKept();
    }

    long lostReported() {
        return ledger.lostReported();
    }

    long duplicates() {
        return ledger.duplicates();
    }

    long enobufs() {
        return ledger.enobufs();
    }

    /** The boot id the current connection's broker reported (null before a handshake or from an older broker). */
    String connectionBootId() {
        return origin.bootId();
    }

    /**
     * The node left the fleet: close the connection at once, without a fence and without waiting for the broker; the
     * records held back for a handover are dropped with the node (counted, not loss). The reader ends.
     */
    long dropWithNode() {
        stopping = Stopping.STOPPED;
        long dropped = ledger.dropWithNode();
        closeConnection();
        Thread t = thread;
        if (t != null) t.interrupt();
        return dropped;
    }

    /**
     * The node rebooted or its broker moved: close the connection so that the reader connects again (to the address
     * the directive names now). An owned CPU registers again on the new broker (a new run: a new boot restarts the
     * sequence without counting loss); a leaving one's handover is aborted, a releasing one is released.
     */
    void reconnect() {
        closeConnection();
    }

    /** Where the CPU stands. */
    CpuState state() {
        return ledger.state();
    }

    long createdNanos() {
        return createdNanos;
    }

    CpuChannelStatus snapshot() {
        return new CpuChannelStatus(slots.node(), ledger.snapshot(), U32.toLong(portId), receiveBuffer, lastError);
    }

    long firstSeq() {
        return ledger.firstSeq();
    }

    long lostSinceReport() {
        return ledger.lostSinceReport();
    }

    /** Kept records of this CPU that the sink did not write: lost at the sink. */
    void unwritten(long records) {
        ledger.unwritten(records);
    }

    void reported(long lost) {
        ledger.reported(lost);
    }

    double closeRateWindow(double seconds) {
        return ledger.closeRateWindow(seconds);
    }

    long leavingSinceMillis() {
        return ledger.leavingSinceMillis();
    }

    /** Milliseconds since the fence was applied while the CPU is releasing, else -1. */
    long fenceAgeMillis(long nowMillis) {
        return ledger.fenceAgeMillis(nowMillis);
    }

    // ---- control (engine thread) ----

    void leave(long nowMillis) {
        ledger.leave(nowMillis);
    }

    void rejoin() {
        if (state() instanceof Releasing) {
            // deregistered already: the CPU is re-acquired on a new registration once this one is released
            log.info("{}: back in the target while its deregistration is under way; it is registered again after it", name);
            return;
        }
        pipeline.publishHeld(cpu, origin, ledger.rejoin());
    }

    FenceOutcome applyFence(int fence, long nowMillis) {
        FenceOutcome out = ledger.applyFence(fence, nowMillis);
        pipeline.publishHeld(cpu, origin, out.toWrite());
        if (!out.exact()) log.warn("{}: duplicate count at fence {} is approximate (too many gaps since)", name, Integer.toUnsignedString(fence));
        // the records below the fence are queued here already (or were dropped): deregister now, read them meanwhile
        if (out.deregister()) sendDeregister();
        return out;
    }

    /**
     * The broker never answered the deregistration (handover timeout): the records below the fence that did not
     * come are counted as lost, the connection is closed and the CPU released.
     */
    void forceRelease() {
        if (state().isDone()) return;
        ledger.forceRelease();
        log.warn("{}: the broker did not answer the deregistration in time, releasing anyway (records below the fence that "
                + "did not come are counted as lost)", name);
        closeConnection();
    }

    /**
     * A DEREGISTER was sent and nothing has arrived on the connection for {@code timeout} (neither records of the
     * backlog nor the answer): the release is stuck; release it as {@link #forceRelease} does. A connection that is
     * still delivering its backlog is not stuck, however long the backlog takes. (The shutdown bounds its own wait.)
     */
    void closeIfReleaseStuck(Duration timeout) {
        if (!(state() instanceof Releasing) || stopping != Stopping.NO) return;
        long since = Math.max(releaseStartedNanos, lastFrameNanos);
        if (nanoTime.getAsLong() - since > timeout.toNanos()) {
            log.warn("{}: no answer to DEREGISTER and no record within {}, closing the connection", name, timeout);
            forceRelease();
        }
    }

    /**
     * After an overrun, a connection that has received nothing for {@code quiet} asks its socket's drop count, so that
     * records dropped at the end of a burst are counted now, not when the CPU's next exit happens to reveal their gap
     * (see {@link CpuSequenceLedger#onSocketDrops}). At most one request per {@code quiet}; an answer that never comes
     * (a congested queue may drop it) is asked again.
     */
    void countDropsIfQuiet(Duration quiet) {
        BrokerClient c = connection;
        if (c == null || !(state() instanceof Owned owned) || !owned.isRegistered()) return;
        long now = nanoTime.getAsLong();
        if (now - lastFrameNanos < quiet.toNanos() || now - dropCountAskedNanos < quiet.toNanos()) return;
        if (!ledger.wantsDropCount()) return;
        int seq = c.reserveSeq();
        dropCountRequests.asked(seq);
        dropCountAskedNanos = now;
        try {
            c.sendSocketStateRequest(seq);
        } catch (IOException e) {
            log.debug("{}: asking the drop count failed ({}); the reader notices a broken connection", name, e.toString());
        }
    }

    /**
     * Shutdown: keep what is held, deregister, and read until the broker's answer, which comes after every record
     * queued for this connection. A reader held up by a slow sink may not get there within {@code timeout}: then it
     * stops waiting for the sink, reads on for at most {@code timeout} more, and every record the sink cannot take any
     * more is counted as unwritten (lost at the sink) instead of being dropped with the connection uncounted. Only a
     * broker that does not answer at all leaves records unknown (logged, and counted in
     * {@code unansweredDeregistrations}).
     */
    void deregisterAndStop(Duration timeout) throws InterruptedException {
        stopping = Stopping.DEREGISTERING;
        ShutdownOutcome out = ledger.shutdown();
        pipeline.publishHeld(cpu, origin, out.held());
        if (out.deregister()) sendDeregister();
        if (state().isRegistered()) {
            if (!awaitDone(timeout)) {
                stopping = Stopping.DISCARDING;
                log.warn("{}: no answer to DEREGISTER within {}; reading the rest without waiting for the sink "
                        + "(records it cannot take are counted as lost)", name, timeout);
                if (!awaitDone(timeout)) {
                    context.totals().unansweredDeregistrations.increment();
                    log.warn("{}: the broker did not answer DEREGISTER; records it may still hold for this connection "
                            + "are not known and not counted", name);
                }
            }
        }
        stop();
    }

    private boolean awaitDone(Duration timeout) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        while (!state().isDone() && nanoTime.getAsLong() < deadline) Thread.sleep(5);
        return state().isDone();
    }

    /** Stops the channel now (closes the connection) and waits for its thread. */
    void stop() throws InterruptedException {
        stopping = Stopping.STOPPED;
        closeConnection();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            t.join(Duration.ofSeconds(5));
        }
    }

    /** The state has just become {@link Releasing} or {@link CpuState.Deregistering}: send DEREGISTER and the drained marker. */
    private void sendDeregister() {
        releaseStartedNanos = nanoTime.getAsLong();
        BrokerClient c = connection;
        int seq = c.reserveSeq();
        deregisterSeq = seq;
        int marker = c.reserveSeq();
        drainMarkerSeq = marker;
        try {
            c.sendDeregister(cpulist, seq);
            // the drained marker arrives once the queue is empty, even when a congested queue drops the ack
            c.sendDrainMarkerRequest(marker);
        } catch (IOException e) {
            log.warn("{}: sending DEREGISTER failed ({}); the closed connection releases the CPU", name, e.toString());
            ledger.deregistered();
            closeConnection();
        }
    }

    // ---- the channel's thread ----

    private void run() {
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(), settings.backoffMultiplier(),
                        settings.backoffJitter(), settings.maxBackoff()))
                .retryOnException(e -> stopping != Stopping.STOPPED && state() instanceof Owned)
                .build();
        Retry retry = Retry.of("broker-" + slots.node() + "-cpu-" + cpu, config);
        retry.getEventPublisher().onRetry(e -> {
            context.connectFailures().increment();
            ledger.retrying();
            lastError = String.valueOf(e.getLastThrowable());
            if (!(e.getLastThrowable() instanceof BrokerNodeMismatchException)) {
                NodeEndpoint ep = slots.endpoint;
                log.info("{}: broker {} not available ({}), retry {} in {} ms", name, ep == null ? "(none)" : ep.broker(), e.getLastThrowable(),
                        e.getNumberOfRetryAttempts(), e.getWaitInterval().toMillis());
            }
        });
        CheckedRunnable establish = Retry.decorateCheckedRunnable(retry, this::establish);
        try {
            while (stopping != Stopping.STOPPED && !state().isDone()) {
                try {
                    establish.run();
                    serve();
                } catch (Throwable t) {
                    closeConnection();
                    publishBatch();
                    if (stopping == Stopping.STOPPED || state().isDone()) break;
                    if (!connectionLost(t)) break;
                    Thread.sleep(settings.initialBackoff());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeConnection();
            publishBatch();
            ledger.finish();
            context.listener().finished(this);
        }
    }

    private void establish() throws IOException {
        ledger.connecting();
        NodeEndpoint endpoint = slots.endpoint;
        if (endpoint == null) throw new IOException("no broker address for node " + slots.node() + ": " + slots.refusal);
        BrokerClient c = BrokerClient.connect(endpoint.broker(), settings.connectTimeout(), settings.readBufferBytes(),
                BrokerClient.tcpReceiveBuffer(settings.receiveBufferBytes()));
        connection = c;
        try {
            if (stopping == Stopping.STOPPED) throw new InterruptedIOException("stopping");
            c.handshake(settings.token(), settings.receiveBufferBytes(), settings.receiveBufferForce(), context.totals().unattributed::increment);
            if (endpoint.verifyNode() && !slots.node().equals(c.node())) refuseMismatch(endpoint, c.node());
            portId = c.portId();
            receiveBuffer = c.receiveBuffer();
            origin = RecordOrigin.of(c.node(), c.bootId(), slots.node());
            slots.connectionBootId = c.bootId();
            ledger.startRun(c.seqEpoch());
            ledger.registering();
            dropCountRequests.newRun();
            int seq = c.reserveSeq();
            registerSeq = seq;
            c.sendRegister(cpulist, seq);
            while (!state().isRegistered() && !state().isDone()) {
                c.read();
                processFrames(c);
            }
        } catch (IOException | RuntimeException e) {
            closeConnection();
            throw e;
        }
    }

    /** The broker the coordinator named for this node serves another node: refused (counted, logged once per change). */
    private void refuseMismatch(NodeEndpoint endpoint, String brokerNode) throws BrokerNodeMismatchException {
        context.totals().refusedNodeMismatch.increment();
        String why = "broker " + endpoint.broker() + " named for node " + slots.node() + " serves node "
                + (brokerNode == null ? "(not reported)" : brokerNode) + "; connection refused";
        if (slots.refusalChanged(why)) log.warn("{} (counted in tsfleet_listener_broker_refusals_total{reason=\"node_mismatch\"}, retried)", why);
        throw new BrokerNodeMismatchException(why);
    }

    private void serve() throws IOException {
        BrokerClient c = connection;
        while (stopping != Stopping.STOPPED && !state().isDone()) {
            c.read();
            processFrames(c);
        }
    }

    private void processFrames(BrokerClient c) throws IOException {
        long t0 = nanoTime.getAsLong();
        lastFrameNanos = t0;
        receivedEpochNanos = context.epochNanos();
        c.visitFrames((buf, at, len) -> onFrame(c, buf, at, len));
        publishBatch();
        context.receiveBusyNanos().add(nanoTime.getAsLong() - t0);
    }

    private boolean onFrame(BrokerClient c, ByteBuffer buf, int at, int len) throws IOException {
        int type = NetlinkHeader.type(buf, at);
        if (type == c.taskstatsFamily() && NetlinkHeader.portId(buf, at) == 0) {
            onEvent(buf, at, len);
        } else if (type == Netlink.NLMSG_ERROR) {
            if (NetlinkHeader.isOverrun(buf, at)) {
                ledger.onOverrun();
            } else if (NetlinkHeader.portId(buf, at) == c.portId()) {
                onAck(NetlinkHeader.seq(buf, at), NetlinkHeader.error(buf, at));
            }
        } else if (c.isSocketState(buf, at)) {
            long answersDropped = dropCountRequests.answered(NetlinkHeader.seq(buf, at));
            long drops = answersDropped < 0 ? -1 : BrokerClient.dropsIn(buf, at, len);
            long counted = drops >= 0 ? ledger.onSocketDrops(drops - answersDropped) : 0;
            if (counted > 0) log.info("{}: {} records dropped after the last one received, counted as lost", name, counted);
        } else if (type == Netlink.NLMSG_NOOP && drainMarkerSeq != 0 && NetlinkHeader.seq(buf, at) == drainMarkerSeq
                && NetlinkHeader.portId(buf, at) == c.portId()) {
            ledger.deregistered(); // the queue was empty after the deregistration: nothing more will come
        }
        return !state().isDone();
    }

    private void onEvent(ByteBuffer buf, int at, int len) throws IOException {
        int seq = NetlinkHeader.seq(buf, at);
        boolean decodable = view.wrap(buf, at, cpu); // the one parse of the record: the sink writer reuses its layout
        Verdict verdict;
        List<HeldRecord> spilled = null;
        synchronized (ledger) { // the verdict and what it asks for, in one step of the ledger (onRecord's contract)
            verdict = ledger.onRecord(seq, decodable);
            if (verdict == Verdict.HOLD) {
                byte[] copy = new byte[len];
                buf.get(at, copy);
                int[] layout = new int[ExitRecordView.LAYOUT_INTS];
                view.saveLayout(layout, 0);
                ledger.hold(seq, copy, layout, receivedEpochNanos);
            } else if (verdict == Verdict.SPILL_THEN_KEEP) {
                spilled = ledger.spillHoldback();
            }
        }
        if (!firstRecordAnnounced && ledger.firstSeq() >= 0) {
            firstRecordAnnounced = true;
            context.listener().firstRecord(this);
        }
        if (spilled != null) {
            publishBatch();
            pipeline.publishHeld(cpu, origin, spilled);
        }
        if (verdict == Verdict.KEEP || verdict == Verdict.SPILL_THEN_KEEP) keep(buf, at, len);
    }

    private void onAck(int seq, int error) throws IOException {
        if (seq == registerSeq && registerSeq != 0) {
            registerSeq = 0;
            if (error != 0) throw new BrokerRefusedException("REGISTER_CPUMASK \"" + cpulist + "\"", error);
            ledger.registered();
            slots.refusalCleared();
            boolean reconnect = registrations > 0;
            registrations++;
            if (lostConnectionNanos >= 0) {
                context.unregisteredNanos().add(nanoTime.getAsLong() - lostConnectionNanos);
                lostConnectionNanos = -1;
            }
            lastError = null;
            context.listener().registered(this, reconnect);
        } else if (seq == deregisterSeq && deregisterSeq != 0) {
            if (error != 0) log.warn("{}: DEREGISTER answered {}; closing the connection releases it anyway", name, error);
            ledger.deregistered();
        } else if (error != 0 && dropCountRequests.failed(seq)) {
            log.debug("{}: the drop-count request was answered with {}; asked again when quiet", name, error);
        } else if (seq == drainMarkerSeq && drainMarkerSeq != 0 && error != 0) {
            log.info("{}: the broker has no drained marker ({}); the release waits for the DEREGISTER ack", name, error);
        }
    }

    private void keep(ByteBuffer buf, int at, int len) throws IOException {
        if (batch == null || !batch.fits(len) || batch.origin != origin || batch.epochNanos != receivedEpochNanos) {
            publishBatch();
            try {
                // only a shutting-down reader may give up waiting for the sink (and only it polls)
                batch = stopping == Stopping.NO ? pipeline.acquire(cpu, origin, receivedEpochNanos, null)
                        : pipeline.acquire(cpu, origin, receivedEpochNanos, () -> stopping.compareTo(Stopping.DISCARDING) >= 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unwritten(1); // kept by the ledger, and now never written
                throw new InterruptedIOException("interrupted while waiting for the sink");
            }
            if (batch == null) { // shutting down and the sink is still behind: counted, not written
                unwritten(1);
                return;
            }
        }
        batch.add(buf, at, len, view);
    }

    private void publishBatch() {
        if (batch != null) {
            pipeline.publish(batch);
            batch = null;
        }
    }

    /**
     * The connection broke: an owned CPU reconnects (true); a leaving one's handover is aborted, a releasing one is
     * released (false: the reader ends).
     */
    private boolean connectionLost(Throwable t) {
        boolean wasRegistered = state().isRegistered();
        List<HeldRecord> held = ledger.connectionLost();
        pipeline.publishHeld(cpu, origin, held);
        CpuState now = state();
        if (now instanceof Released r && r.ending() == Ending.ABORTED) {
            log.warn("{}: connection lost while handing the CPU over ({}); handover aborted, CPU released", name, t.toString());
        }
        if (now.isDone()) return false;
        lastError = t.toString();
        if (wasRegistered && lostConnectionNanos < 0) lostConnectionNanos = nanoTime.getAsLong();
        log.warn("{}: broker connection lost ({}); reconnecting", name, t.toString());
        return true;
    }

    private void closeConnection() {
        BrokerClient c = connection;
        if (c != null) c.close();
    }
}
