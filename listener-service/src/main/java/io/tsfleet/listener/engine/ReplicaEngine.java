package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.CapacityEstimator;
import io.tsfleet.listener.domain.CpuState.Finished;
import io.tsfleet.listener.domain.CpuState.Phase;
import io.tsfleet.listener.domain.DirectivePlan;
import io.tsfleet.listener.domain.DirectiveReconciler;
import io.tsfleet.listener.domain.HoldbackBudget;
import io.tsfleet.listener.domain.ReplicaTotals;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The replica: its target mask, one {@link CpuChannel} per CPU it holds (each CPU with its one {@code CpuState}), the
 * plan generation it has applied, and the handovers in flight. Directives from the coordinator (or the static mask) are reconciled by the pure
 * {@link DirectiveReconciler}; the engine carries the plan out. Plain Java: threads, no framework.
 */
public final class ReplicaEngine implements ChannelListener, SinkLossListener {
    /** How long a CPU that overran must have received nothing before it asks its socket's drop count. */
    static final Duration DROP_COUNT_QUIET = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(ReplicaEngine.class);

    /** ACTIVE, DRAINING after SIGTERM (asks the coordinator to move the CPUs away), STOPPED after shutdown. */
    public enum State { ACTIVE, DRAINING, STOPPED }

    private final EngineSettings settings;
    private final SinkPipeline pipeline;
    private final ReplicaTotals totals;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final HandoverObserver handovers;
    private final CapacityEstimator capacity;
    private final ConcurrentSkipListMap<Integer, CpuChannel> channels = new ConcurrentSkipListMap<>();
    private final Set<Integer> releasedPending = new ConcurrentSkipListSet<>();
    private final Map<Integer, Integer> firstSeqReports = new ConcurrentHashMap<>();
    private final LongAdder receiveBusyNanos = new LongAdder();
    private final LongAdder unregisteredNanos = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder refusedDirectives = new LongAdder();
    private final HoldbackBudget holdbackBudget;
    private final ChannelContext channelContext;

    private volatile State state = State.ACTIVE;
    private volatile CpuSet target;
    private volatile long generation;
    private volatile long heartbeatMillis;
    private volatile double capacityPerSecond;
    private volatile double loadRatio;
    private long lastTickNanos;
    private long[] lastWindow = new long[7];

    public ReplicaEngine(EngineSettings settings, SinkPipeline pipeline, ReplicaTotals totals, Clock clock, LongSupplier nanoTime,
                         HandoverObserver handovers) {
        this.settings = settings;
        this.pipeline = pipeline;
        this.totals = totals;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.handovers = handovers;
        this.capacity = new CapacityEstimator(settings.capacitySmoothing(), settings.parallelism());
        this.holdbackBudget = new HoldbackBudget(settings.holdbackTotalRecords());
        this.channelContext = new ChannelContext(settings.channel(), pipeline, totals, this, nanoTime, receiveBusyNanos, unregisteredNanos,
                connectFailures, holdbackBudget);
        this.lastTickNanos = nanoTime.getAsLong();
        pipeline.lossListener(this);
    }

    // ---- assignment ----

    /** Runs on a fixed mask without a coordinator: registers every CPU of it. */
    public synchronized void useStaticMask(CpuSet mask) {
        requireActive();
        target = mask;
        mask.forEach(this::acquire);
        log.info("static mask {}: {} CPUs, one broker connection each", mask.toCpulist(), mask.size());
    }

    /** Applies a coordinator directive; a stale or invalid one is refused and changes nothing. */
    public synchronized DirectivePlan apply(ReplicaDirective directive) {
        if (state == State.STOPPED) return null;
        DirectivePlan plan = DirectiveReconciler.reconcile(view(), directive);
        if (!plan.accepted()) {
            refusedDirectives.increment();
            log.warn("directive refused: {}", plan.refusal());
            return plan;
        }
        if (directive.heartbeatMillis() > 0) heartbeatMillis = directive.heartbeatMillis();
        long now = clock.millis();
        if (plan.generation() != generation || target == null || !plan.target().equals(target)) {
            log.info("generation {}: target {} (acquire {}, leave {}, rejoin {})", plan.generation(), plan.target().toCpulist(),
                    plan.acquire().toCpulist(), plan.leave().toCpulist(), plan.rejoin().toCpulist());
        }
        generation = plan.generation();
        target = plan.target();
        plan.rejoin().forEach(cpu -> {
            CpuChannel ch = channels.get(cpu);
            if (ch != null) ch.rejoin();
        });
        plan.leave().forEach(cpu -> {
            CpuChannel ch = channels.get(cpu);
            if (ch != null) ch.leave(now);
        });
        plan.acquire().forEach(cpu -> {
            acquire(cpu);
            firstSeqReports.put(cpu, settings.firstSeqReports());
        });
        plan.fences().forEach((cpu, fence) -> {
            CpuChannel ch = channels.get(cpu);
            if (ch != null) {
                var out = ch.applyFence(fence, now);
                if (out.duplicates() > 0) log.warn("cpu {}: {} records past fence {} were written before the fence arrived (counted as duplicates)",
                        cpu, out.duplicates(), Integer.toUnsignedString(fence));
            }
        });
        if (!plan.ignoredFences().isEmpty()) log.warn("fences ignored for CPUs still in the target: {}", plan.ignoredFences());
        releasedPending.removeAll(plan.acknowledged());
        return plan;
    }

    private DirectiveReconciler.ReplicaView view() {
        Map<Integer, Phase> phases = new HashMap<>();
        channels.forEach((cpu, ch) -> phases.put(cpu, ch.state().phase()));
        return new DirectiveReconciler.ReplicaView(generation, phases, Set.copyOf(releasedPending));
    }

    private void acquire(int cpu) {
        CpuChannel existing = channels.get(cpu);
        if (existing != null && !existing.state().isDone()) return;
        CpuChannel ch = new CpuChannel(cpu, channelContext);
        channels.put(cpu, ch);
        ch.start();
    }

    // ---- channel callbacks (channel threads; never take the engine lock) ----

    @Override
    public void registered(CpuChannel channel, boolean reconnect) {
        if (reconnect) {
            log.info("cpu {}: registered again after a reconnect", channel.cpu());
        } else {
            handovers.acquired(channel.cpu(), Duration.ofNanos(nanoTime.getAsLong() - channel.createdNanos()));
        }
    }

    @Override
    public void finished(CpuChannel channel) {
        int cpu = channel.cpu();
        channels.remove(cpu, channel);
        if (state == State.STOPPED) return;
        if (channel.state() instanceof Finished f && f.phase() == Phase.RELEASED) {
            releasedPending.add(cpu);
            firstSeqReports.remove(cpu);
            long since = channel.leavingSinceMillis();
            handovers.released(cpu, Duration.ofMillis(Math.max(0, clock.millis() - since)), f.aborted());
            log.info("cpu {}: released", cpu);
        }
        CpuSet t = target;
        if (t != null && t.contains(cpu) && state != State.STOPPED) {
            Thread.ofVirtual().name("reacquire-" + cpu).start(this::ensureTargetChannels);
        }
    }

    private synchronized void ensureTargetChannels() {
        if (state == State.STOPPED || target == null) return;
        target.forEach(cpu -> {
            if (!channels.containsKey(cpu)) acquire(cpu);
        });
    }

    /**
     * The sink did not write {@code records} kept records of {@code cpu}: counted on the CPU's ledger while the CPU is
     * held (so the next heartbeat reports them for it), else in the replica's totals only.
     */
    @Override
    public void unwritten(int cpu, long records) {
        CpuChannel ch = channels.get(cpu);
        if (ch != null) ch.unwritten(records);
        else totals.unwritten.add(records);
    }

    // ---- heartbeat ----

    /** The heartbeat for now (per-CPU arrays in ascending order of the owned CPUs). */
    public ReplicaHeartbeat heartbeat(String replicaId, String incarnation) {
        CpuSet.Builder owned = CpuSet.builder();
        List<Double> rates = new ArrayList<>();
        List<Long> lost = new ArrayList<>();
        Map<Integer, Long> firstSeqs = new TreeMap<>();
        for (CpuChannel ch : channels.values()) {
            if (!ch.state().isRegistered()) continue;
            owned.add(ch.cpu());
            rates.add(ch.snapshot().ledger().ratePerSecond());
            lost.add(ch.lostSinceReport());
        }
        firstSeqReports.forEach((cpu, left) -> {
            CpuChannel ch = channels.get(cpu);
            if (ch != null && ch.firstSeq() >= 0) firstSeqs.put(cpu, ch.firstSeq());
        });
        CpuSet.Builder released = CpuSet.builder();
        releasedPending.forEach(released::add);
        return new ReplicaHeartbeat(replicaId, incarnation, generation, state == State.ACTIVE ? ReplicaHeartbeat.ACTIVE : ReplicaHeartbeat.DRAINING,
                owned.build().toCpulist(), capacityPerSecond, rates, lost, totals.records.sum(), totals.lostReported(),
                totals.enobufs.sum(), totals.duplicates.sum(), firstSeqs, released.build().toCpulist());
    }

    /** The coordinator received this heartbeat: the per-CPU loss it carried is reported, first seqs count down. */
    public void delivered(ReplicaHeartbeat hb) {
        try {
            int[] owned = CpuSet.parse(hb.ownedCpus()).toArray();
            for (int i = 0; i < owned.length && i < hb.cpuLost().size(); i++) {
                CpuChannel ch = channels.get(owned[i]);
                if (ch != null) ch.reported(hb.cpuLost().get(i));
            }
        } catch (Exception e) {
            throw new IllegalStateException("heartbeat built by this engine has an invalid cpulist", e);
        }
        for (Integer cpu : hb.firstSeqs().keySet()) {
            firstSeqReports.computeIfPresent(cpu, (c, left) -> left <= 1 ? null : left - 1);
        }
    }

    /** How often to heartbeat: the coordinator's wish, else {@code fallback}. */
    public Duration heartbeatInterval(Duration fallback) {
        long ms = heartbeatMillis;
        return ms > 0 ? Duration.ofMillis(Math.clamp(ms, 50, 60_000)) : fallback;
    }

    // ---- periodic work ----

    /**
     * Closes a rate window, updates the capacity estimate, enforces the handover and release timeouts, and has quiet
     * CPUs that overran count their drops.
     */
    public synchronized void tick() {
        long nowNanos = nanoTime.getAsLong();
        double seconds = (nowNanos - lastTickNanos) / 1e9;
        lastTickNanos = nowNanos;
        long nowMillis = clock.millis();
        for (CpuChannel ch : channels.values()) {
            ch.closeRateWindow(seconds);
            long fenceAge = ch.fenceAgeMillis(nowMillis);
            if (fenceAge > settings.handoverTimeout().toMillis()) ch.forceRelease();
            ch.closeIfReleaseStuck(settings.channel().releaseAckTimeout());
            ch.countDropsIfQuiet(DROP_COUNT_QUIET);
        }
        long[] now = {totals.records.sum() + totals.duplicates.sum() + totals.handedOver.sum() + totals.malformed.sum(),
                totals.lost.sum(), pipeline.recordsWritten(), pipeline.busyNanos(), receiveBusyNanos.sum(), pipeline.backpressureNanos(), 0};
        long receiveBusy = Math.max(0, (now[4] - lastWindow[4]) - (now[5] - lastWindow[5]));
        CapacityEstimator.Estimate e = capacity.update(new CapacityEstimator.Window(seconds, now[0] - lastWindow[0], now[1] - lastWindow[1],
                now[2] - lastWindow[2], now[3] - lastWindow[3], receiveBusy));
        lastWindow = now;
        capacityPerSecond = e.capacityPerSecond();
        loadRatio = e.loadRatio();
    }

    // ---- readiness and shutdown ----

    /** Ready: a mask is known, every CPU of it is registered on a live connection, and the replica is not draining. */
    public boolean ready() {
        CpuSet t = target;
        if (state != State.ACTIVE || t == null) return false;
        for (int cpu : t.toArray()) {
            CpuChannel ch = channels.get(cpu);
            if (ch == null || !ch.state().isRegistered()) return false;
        }
        return true;
    }

    /** SIGTERM: report DRAINING so the coordinator moves the CPUs away. */
    public synchronized void beginDrain() {
        if (state == State.ACTIVE) {
            state = State.DRAINING;
            log.info("draining: asking the coordinator to move {} CPUs away", channels.size());
        }
    }

    /** Drained: the coordinator emptied the target and every CPU has been released after its fence. */
    public boolean drained() {
        CpuSet t = target;
        return state == State.DRAINING && t != null && t.isEmpty() && channels.isEmpty();
    }

    /** Deregisters every CPU still held (bounded), stops the channels. The sink is closed separately. */
    public void shutdown(Duration deregisterTimeout) throws InterruptedException {
        List<CpuChannel> toStop;
        synchronized (this) {
            if (state == State.STOPPED) return;
            state = State.STOPPED;
            toStop = new ArrayList<>(channels.values());
        }
        List<Thread> stoppers = new ArrayList<>();
        for (CpuChannel ch : toStop) {
            stoppers.add(Thread.ofVirtual().start(() -> {
                try {
                    ch.deregisterAndStop(deregisterTimeout);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : stoppers) t.join();
        channels.clear();
        log.info("deregistered and closed {} CPU connections", toStop.size());
    }

    // ---- views ----

    public List<CpuChannelStatus> cpus() {
        List<CpuChannelStatus> out = new ArrayList<>();
        for (CpuChannel ch : channels.values()) out.add(ch.snapshot());
        return out;
    }

    public Optional<CpuChannelStatus> cpu(int cpu) {
        CpuChannel ch = channels.get(cpu);
        return ch == null ? Optional.empty() : Optional.of(ch.snapshot());
    }

    public State state() {
        return state;
    }

    public long generation() {
        return generation;
    }

    /** The target mask, or null before the first directive. */
    public CpuSet target() {
        return target;
    }

    public int ownedCount() {
        int n = 0;
        for (CpuChannel ch : channels.values()) if (ch.state().isRegistered()) n++;
        return n;
    }

    public CpuSet owned() {
        CpuSet.Builder b = CpuSet.builder();
        for (CpuChannel ch : channels.values()) if (ch.state().isRegistered()) b.add(ch.cpu());
        return b.build();
    }

    public double capacityPerSecond() {
        return capacityPerSecond;
    }

    public double loadRatio() {
        return loadRatio;
    }

    public ReplicaTotals totals() {
        return totals;
    }

    public SinkPipeline pipeline() {
        return pipeline;
    }

    public long refusedDirectives() {
        return refusedDirectives.sum();
    }

    public long connectFailures() {
        return connectFailures.sum();
    }

    public double unregisteredSeconds() {
        return unregisteredNanos.sum() / 1e9;
    }

    /** Records held back by leaving CPUs, replica-wide. */
    public long heldRecords() {
        return holdbackBudget.inUse();
    }

    public int handoversInFlight() {
        int n = 0;
        for (CpuChannel ch : channels.values()) if (ch.state().phase() != Phase.OWNED) n++;
        return n;
    }

    private void requireActive() {
        if (state != State.ACTIVE) throw new IllegalStateException("replica is " + state);
    }
}
