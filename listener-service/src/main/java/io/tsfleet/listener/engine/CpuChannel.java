package io.tsfleet.listener.engine;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedRunnable;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.tsfleet.listener.domain.CpuLedgerSnapshot;
import io.tsfleet.listener.domain.CpuSequenceLedger;
import io.tsfleet.listener.domain.CpuSequenceLedger.Phase;
import io.tsfleet.listener.domain.CpuSequenceLedger.Verdict;
import io.tsfleet.listener.domain.DropCountRequests;
import io.tsfleet.listener.domain.FenceOutcome;
import io.tsfleet.listener.domain.HeldRecord;
import io.tsfleet.listener.domain.HoldbackBudget;
import io.tsfleet.listener.domain.ReplicaTotals;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.protocol.client.BrokerClient;
import io.tsfleet.protocol.client.BrokerRefusedException;
import io.tsfleet.protocol.netlink.Netlink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tsfleet.protocol.netlink.NetlinkHeader;
import io.tsfleet.protocol.netlink.U32;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One CPU of the replica: one broker connection registered on this single CPU, so every record and every gap on it
 * is attributable (a socket on several CPUs could not tell which CPU a gap belongs to). A virtual thread connects (Resilience4j retry, exponential backoff
 * with jitter), handshakes, registers, and then reads: each frame is decoded in place, accounted by the CPU's
 * {@link CpuSequenceLedger} and, when kept, copied into a sink batch. After a broker restart the connection fails and
 * the channel reconnects and registers again (a new run of sequence numbers).
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

    /** What the channel is doing. */
    public enum Status { CONNECTING, REGISTERING, REGISTERED, RETRYING, RELEASING, FINISHED }

    private final int cpu;
    private final String cpulist;
    private final ChannelSettings settings;
    private final CpuSequenceLedger ledger;
    private final SinkPipeline pipeline;
    private final ReplicaTotals totals;
    private final ChannelListener listener;
    private final LongSupplier nanoTime;
    private final LongAdder receiveBusyNanos;
    private final LongAdder unregisteredNanos;
    private final LongAdder connectFailures;
    private final ExitRecordView view = new ExitRecordView();
    private final AtomicBoolean releaseStarted = new AtomicBoolean();
    private final long createdNanos;

    private volatile BrokerClient connection;
    private volatile Status status = Status.CONNECTING;
    private volatile String lastError;
    private volatile int portId;
    private volatile int receiveBuffer;
    private volatile boolean stopRequested;
    private volatile boolean registered;
    private volatile int registerSeq;
    private volatile int deregisterSeq;
    private volatile int drainMarkerSeq;
    private volatile long lastFrameNanos;
    private volatile long releaseStartedNanos;
    private final DropCountRequests dropCountRequests = new DropCountRequests();
    private volatile long dropCountAskedNanos = Long.MIN_VALUE / 2;
    private volatile boolean done;
    private volatile boolean everRegistered;
    private volatile boolean aborted;
    /** Shutdown gave up waiting for the sink: read on without waiting for it, counting what it cannot take. */
    private volatile boolean discarding;
    /** The shutdown deregisters this CPU and bounds the wait itself ({@link #deregisterAndStop}). */
    private volatile boolean shuttingDown;
    private long lostConnectionNanos = -1;
    private SinkBatch batch;
    private Thread thread;

    CpuChannel(int cpu, ChannelSettings settings, SinkPipeline pipeline, ReplicaTotals totals, ChannelListener listener,
               LongSupplier nanoTime, LongAdder receiveBusyNanos, LongAdder unregisteredNanos, LongAdder connectFailures,
               HoldbackBudget holdbackBudget) {
        this.cpu = cpu;
        this.cpulist = Integer.toString(cpu);
        this.settings = settings;
        this.ledger = new CpuSequenceLedger(cpu, totals, settings.holdbackRecords(), holdbackBudget);
        this.pipeline = pipeline;
        this.totals = totals;
        this.listener = listener;
        this.nanoTime = nanoTime;
        this.receiveBusyNanos = receiveBusyNanos;
        this.unregisteredNanos = unregisteredNanos;
        this.connectFailures = connectFailures;
        this.createdNanos = nanoTime.getAsLong();
    }

    void start() {
        thread = Thread.ofVirtual().name("cpu-" + cpu).start(this::run);
    }

    public int cpu() {
        return cpu;
    }

    public Status status() {
        return status;
    }

    /** Registered on a live connection (including while releasing). */
    public boolean isRegistered() {
        return registered && !done;
    }

    public boolean isDone() {
        return done;
    }

    /** The handover was aborted (the connection broke before the fence). */
    public boolean aborted() {
        return aborted;
    }

    long createdNanos() {
        return createdNanos;
    }

    public CpuChannelStatus snapshot() {
        CpuLedgerSnapshot s;
        synchronized (ledger) {
            s = ledger.snapshot();
        }
        return new CpuChannelStatus(s, status, isRegistered(), U32.toLong(portId), receiveBuffer, lastError);
    }

    Phase phase() {
        synchronized (ledger) {
            return ledger.phase();
        }
    }

    long firstSeq() {
        synchronized (ledger) {
            return ledger.firstSeq();
        }
    }

    long lostSinceReport() {
        synchronized (ledger) {
            return ledger.lostSinceReport();
        }
    }

    /** Kept records of this CPU that the sink did not write: lost at the sink. */
    void unwritten(long records) {
        synchronized (ledger) {
            ledger.unwritten(records);
        }
    }

    void reported(long lost) {
        synchronized (ledger) {
            ledger.reported(lost);
        }
    }

    double closeRateWindow(double seconds) {
        synchronized (ledger) {
            return ledger.closeRateWindow(seconds);
        }
    }

    long leavingSinceMillis() {
        synchronized (ledger) {
            return ledger.leavingSinceMillis();
        }
    }

    /** Milliseconds since the fence was applied, or -1 without a fence. */
    long fenceAgeMillis(long nowMillis) {
        synchronized (ledger) {
            return ledger.hasFence() && ledger.phase() == Phase.RELEASING ? nowMillis - ledger.fenceAppliedAtMillis() : -1;
        }
    }

    // ---- control (engine thread) ----

    void leave(long nowMillis) {
        synchronized (ledger) {
            ledger.leave(nowMillis);
        }
    }

    void rejoin() {
        if (releaseStarted.get()) {
            // deregistered already: the CPU is re-acquired on a new registration once this one is released
            log.info("cpu {}: back in the target while its deregistration is under way; it is registered again after it", cpu);
            return;
        }
        List<HeldRecord> held;
        synchronized (ledger) {
            held = ledger.rejoin();
        }
        pipeline.publishHeld(cpu, held);
    }

    FenceOutcome applyFence(int fence, long nowMillis) {
        FenceOutcome out;
        synchronized (ledger) {
            out = ledger.applyFence(fence, nowMillis);
        }
        pipeline.publishHeld(cpu, out.toWrite());
        if (!out.exact()) log.warn("cpu {}: duplicate count at fence {} is approximate (too many gaps since)", cpu, Integer.toUnsignedString(fence));
        // the records below the fence are queued here already (or were dropped): deregister now, read them meanwhile
        startRelease();
        return out;
    }

    /**
     * The broker never answered the deregistration (handover timeout): the records below the fence that did not
     * come are counted as lost, the connection is closed and the CPU released.
     */
    void forceRelease() {
        if (done) return;
        synchronized (ledger) {
            ledger.forceRelease();
        }
        log.warn("cpu {}: the broker did not answer the deregistration in time, releasing anyway (records below the fence that "
                + "did not come are counted as lost)", cpu);
        done = true;
        closeConnection();
    }

    /**
     * A DEREGISTER was sent and nothing has arrived on the connection for {@code timeout} (neither records of the
     * backlog nor the answer): the release is stuck; release it as {@link #forceRelease} does. A connection that is
     * still delivering its backlog is not stuck, however long the backlog takes.
     */
    void closeIfReleaseStuck(Duration timeout) {
        if (!releaseStarted.get() || done || shuttingDown) return;
        long since = Math.max(releaseStartedNanos, lastFrameNanos);
        if (nanoTime.getAsLong() - since > timeout.toNanos()) {
            log.warn("cpu {}: no answer to DEREGISTER and no record within {}, closing the connection", cpu, timeout);
            if (phase() == Phase.RELEASING) {
                forceRelease();
            } else {
                done = true;
                closeConnection();
            }
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
        if (c == null || !registered || done || releaseStarted.get()) return;
        long now = nanoTime.getAsLong();
        if (now - lastFrameNanos < quiet.toNanos() || now - dropCountAskedNanos < quiet.toNanos()) return;
        synchronized (ledger) {
            if (!ledger.wantsDropCount()) return;
        }
        int seq = c.reserveSeq();
        dropCountRequests.asked(seq);
        dropCountAskedNanos = now;
        try {
            c.sendSocketStateRequest(seq);
        } catch (IOException e) {
            log.debug("cpu {}: asking the drop count failed ({}); the reader notices a broken connection", cpu, e.toString());
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
        shuttingDown = true;
        List<HeldRecord> held;
        synchronized (ledger) {
            held = ledger.rejoin();
        }
        pipeline.publishHeld(cpu, held);
        if (registered) {
            startRelease();
            if (!awaitDone(timeout)) {
                discarding = true;
                log.warn("cpu {}: no answer to DEREGISTER within {}; reading the rest without waiting for the sink "
                        + "(records it cannot take are counted as lost)", cpu, timeout);
                if (!awaitDone(timeout)) {
                    totals.unansweredDeregistrations.increment();
                    log.warn("cpu {}: the broker did not answer DEREGISTER; records it may still hold for this connection "
                            + "are not known and not counted", cpu);
                }
            }
        }
        stop();
    }

    private boolean awaitDone(Duration timeout) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        while (!done && nanoTime.getAsLong() < deadline) Thread.sleep(5);
        return done;
    }

    /** Stops the channel now (closes the connection) and waits for its thread. */
    void stop() throws InterruptedException {
        stopRequested = true;
        closeConnection();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            t.join(Duration.ofSeconds(5));
        }
    }

    void startRelease() {
        if (!releaseStarted.compareAndSet(false, true)) return;
        releaseStartedNanos = nanoTime.getAsLong();
        status = Status.RELEASING;
        BrokerClient c = connection;
        if (c == null || !registered) {
            markReleased();
            return;
        }
        int seq = c.reserveSeq();
        deregisterSeq = seq;
        int marker = c.reserveSeq();
        drainMarkerSeq = marker;
        try {
            c.sendDeregister(cpulist, seq);
            // the drained marker arrives once the queue is empty, even when a congested queue drops the ack
            c.sendDrainMarkerRequest(marker);
        } catch (IOException e) {
            log.warn("cpu {}: sending DEREGISTER failed ({}); the closed connection releases the CPU", cpu, e.toString());
            markReleased();
            closeConnection();
        }
    }

    // ---- the channel's thread ----

    private void run() {
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(), settings.backoffMultiplier(),
                        settings.backoffJitter(), settings.maxBackoff()))
                .retryOnException(e -> !stopRequested && !done && phase() == Phase.OWNED)
                .build();
        Retry retry = Retry.of("broker-cpu-" + cpu, config);
        retry.getEventPublisher().onRetry(e -> {
            connectFailures.increment();
            status = Status.RETRYING;
            lastError = String.valueOf(e.getLastThrowable());
            log.info("cpu {}: broker {} not available ({}), retry {} in {} ms", cpu, settings.broker(), e.getLastThrowable(),
                    e.getNumberOfRetryAttempts(), e.getWaitInterval().toMillis());
        });
        CheckedRunnable establish = Retry.decorateCheckedRunnable(retry, this::establish);
        try {
            while (!stopRequested && !done) {
                try {
                    establish.run();
                    serve();
                } catch (Throwable t) {
                    closeConnection();
                    publishBatch();
                    if (stopRequested || done) break;
                    if (releaseStarted.get()) {
                        markReleased();
                        break;
                    }
                    if (phase() != Phase.OWNED) {
                        abortHandover(t);
                        break;
                    }
                    connectionLost(t);
                    Thread.sleep(settings.initialBackoff());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeConnection();
            publishBatch();
            registered = false;
            status = Status.FINISHED;
            listener.finished(this);
        }
    }

    private void establish() throws IOException {
        status = Status.CONNECTING;
        registered = false;
        BrokerClient c = BrokerClient.connect(settings.broker(), settings.connectTimeout(), settings.readBufferBytes(),
                BrokerClient.tcpReceiveBuffer(settings.receiveBufferBytes()));
        connection = c;
        try {
            if (stopRequested) throw new InterruptedIOException("stopping");
            c.handshake(settings.token(), settings.receiveBufferBytes(), settings.receiveBufferForce(), totals.unattributed::increment);
            portId = c.portId();
            receiveBuffer = c.receiveBuffer();
            synchronized (ledger) {
                ledger.startRun(c.seqEpoch());
            }
            status = Status.REGISTERING;
            dropCountRequests.newRun();
            int seq = c.reserveSeq();
            registerSeq = seq;
            c.sendRegister(cpulist, seq);
            while (!registered) {
                c.read();
                processFrames(c);
            }
        } catch (IOException | RuntimeException e) {
            closeConnection();
            throw e;
        }
    }

    private void serve() throws IOException {
        BrokerClient c = connection;
        while (!stopRequested && !done) {
            c.read();
            processFrames(c);
        }
    }

    private void processFrames(BrokerClient c) throws IOException {
        long t0 = nanoTime.getAsLong();
        lastFrameNanos = t0;
        c.visitFrames((buf, at, len) -> onFrame(c, buf, at, len));
        publishBatch();
        receiveBusyNanos.add(nanoTime.getAsLong() - t0);
    }

    private boolean onFrame(BrokerClient c, ByteBuffer buf, int at, int len) throws IOException {
        int type = NetlinkHeader.type(buf, at);
        if (type == c.taskstatsFamily() && NetlinkHeader.portId(buf, at) == 0) {
            onEvent(buf, at, len);
        } else if (type == Netlink.NLMSG_ERROR) {
            if (NetlinkHeader.isOverrun(buf, at)) {
                synchronized (ledger) {
                    ledger.onOverrun();
                }
            } else if (NetlinkHeader.portId(buf, at) == c.portId()) {
                onAck(NetlinkHeader.seq(buf, at), NetlinkHeader.error(buf, at));
            }
        } else if (c.isSocketState(buf, at)) {
            long answersDropped = dropCountRequests.answered(NetlinkHeader.seq(buf, at));
            long drops = answersDropped < 0 ? -1 : BrokerClient.dropsIn(buf, at, len);
            long counted = 0;
            if (drops >= 0) {
                synchronized (ledger) {
                    counted = ledger.onSocketDrops(drops - answersDropped);
                }
            }
            if (counted > 0) log.info("cpu {}: {} records dropped after the last one received, counted as lost", cpu, counted);
        } else if (type == Netlink.NLMSG_NOOP && drainMarkerSeq != 0 && NetlinkHeader.seq(buf, at) == drainMarkerSeq
                && NetlinkHeader.portId(buf, at) == c.portId()) {
            deregistered(); // the queue was empty after the deregistration: nothing more will come
        }
        return !done;
    }

    private void onEvent(ByteBuffer buf, int at, int len) throws IOException {
        int seq = NetlinkHeader.seq(buf, at);
        boolean decodable = view.wrap(buf, at, cpu);
        Verdict verdict;
        List<HeldRecord> spilled = null;
        synchronized (ledger) {
            verdict = ledger.onRecord(seq, decodable);
            if (verdict == Verdict.HOLD) {
                byte[] copy = new byte[len];
                buf.get(at, copy);
                ledger.hold(seq, copy);
            } else if (verdict == Verdict.SPILL_THEN_KEEP) {
                spilled = ledger.spillHoldback();
            }
        }
        if (spilled != null) {
            publishBatch();
            pipeline.publishHeld(cpu, spilled);
        }
        if (verdict == Verdict.KEEP || verdict == Verdict.SPILL_THEN_KEEP) keep(buf, at, len);
    }

    private void onAck(int seq, int error) throws IOException {
        if (seq == registerSeq && registerSeq != 0) {
            registerSeq = 0;
            if (error != 0) throw new BrokerRefusedException("REGISTER_CPUMASK \"" + cpulist + "\"", error);
            boolean reconnect = everRegistered;
            if (lostConnectionNanos >= 0) {
                unregisteredNanos.add(nanoTime.getAsLong() - lostConnectionNanos);
                lostConnectionNanos = -1;
            }
            everRegistered = true;
            registered = true;
            lastError = null;
            if (!releaseStarted.get()) status = Status.REGISTERED;
            listener.registered(this, reconnect);
        } else if (seq == deregisterSeq && deregisterSeq != 0) {
            if (error != 0) log.warn("cpu {}: DEREGISTER answered {}; closing the connection releases it anyway", cpu, error);
            deregistered();
        } else if (error != 0 && dropCountRequests.failed(seq)) {
            log.debug("cpu {}: the drop-count request was answered with {}; asked again when quiet", cpu, error);
        } else if (seq == drainMarkerSeq && drainMarkerSeq != 0 && error != 0) {
            log.info("cpu {}: the broker has no drained marker ({}); the release waits for the DEREGISTER ack", cpu, error);
        }
    }

    /** The broker's answer to the deregistration arrived: every record this connection will get has been read. */
    private void deregistered() {
        synchronized (ledger) {
            ledger.deregistered();
        }
        done = true;
    }

    private void keep(ByteBuffer buf, int at, int len) throws IOException {
        if (batch == null || !batch.fits(len)) {
            publishBatch();
            try {
                // only a shutting-down reader may give up waiting for the sink (and only it polls)
                batch = shuttingDown ? pipeline.acquire(cpu, () -> discarding) : pipeline.acquire(cpu);
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
        batch.add(buf, at, len);
    }

    private void publishBatch() {
        if (batch != null) {
            pipeline.publish(batch);
            batch = null;
        }
    }

    /** The CPU is released without an answer from the broker (no connection, or it broke after the DEREGISTER). */
    private void markReleased() {
        deregistered();
    }

    private void abortHandover(Throwable cause) {
        List<HeldRecord> held;
        synchronized (ledger) {
            held = ledger.abortHandover();
        }
        pipeline.publishHeld(cpu, held);
        aborted = true;
        done = true;
        log.warn("cpu {}: connection lost while handing the CPU over ({}); handover aborted, CPU released", cpu, cause.toString());
    }

    private void connectionLost(Throwable t) {
        status = Status.RETRYING;
        lastError = t.toString();
        if (registered && lostConnectionNanos < 0) lostConnectionNanos = nanoTime.getAsLong();
        registered = false;
        log.warn("cpu {}: broker connection lost ({}); reconnecting", cpu, t.toString());
    }

    private void closeConnection() {
        BrokerClient c = connection;
        if (c != null) c.close();
    }
}
