package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.CapacityEstimator;
import io.tsfleet.listener.domain.CpuState.Finished;
import io.tsfleet.listener.domain.CpuState.Phase;
import io.tsfleet.listener.domain.DirectivePlan;
import io.tsfleet.listener.domain.DirectiveReconciler;
import io.tsfleet.listener.domain.HoldbackBudget;
import io.tsfleet.listener.domain.NodePlan;
import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.protocol.client.BrokerAddress;
import io.tsfleet.listener.domain.ReplicaTotals;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.protocol.fleet.NodeTarget;
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
 * The replica: its slots, (node, CPU) pairs, held per node ({@link NodeSlots}: the node's target, its broker, one
 * {@link CpuChannel} per CPU of the node it holds, each with its one {@code CpuState}), the plan generation it has
 * applied, and the handovers in flight. Directives from the coordinator (or the static mask) are reconciled by the pure
 * {@link DirectiveReconciler}; the engine carries the plan out. Plain Java: threads, no framework.
 */
public final class ReplicaEngine implements ChannelListener, SinkLossListener {
    /** How long a CPU that overran must have received nothing before it asks its socket's drop count. */
    static final Duration DROP_COUNT_QUIET = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(ReplicaEngine.class);

    /** ACTIVE, DRAINING after SIGTERM (asks the coordinator to move the CPUs away), STOPPED after shutdown. */
    public enum State { ACTIVE, DRAINING, STOPPED }

    private final EngineSettings settings;
    private final SinkFanOut pipeline;
    private final ReplicaTotals totals;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final HandoverObserver handovers;
    private final CapacityEstimator capacity;
    /** What the replica holds on each node, by node name. */
    private final ConcurrentSkipListMap<String, NodeSlots> nodes = new ConcurrentSkipListMap<>();
    private final LongAdder receiveBusyNanos = new LongAdder();
    private final LongAdder unregisteredNanos = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder refusedDirectives = new LongAdder();
    private final HoldbackBudget holdbackBudget;
    private final ChannelContext channelContext;

    private volatile State state = State.ACTIVE;
    /** A mask is known: the static one, or a directive's (whose node targets may all be empty). */
    private volatile boolean targetKnown;
    private volatile NodeObserver nodeObserver = NodeObserver.NONE;
    /** Told when the replica learns something a handover step waits for (the heartbeat loop heartbeats soon). */
    private volatile Runnable handoverNews;
    private volatile long generation;
    private volatile long heartbeatMillis;
    private volatile double capacityPerSecond;
    private volatile double loadRatio;
    private long lastTickNanos;
    private long[] lastWindow = new long[7];

    public ReplicaEngine(EngineSettings settings, SinkPipeline pipeline, ReplicaTotals totals, Clock clock, LongSupplier nanoTime,
                         HandoverObserver handovers) {
        this(settings, SinkFanOut.of(pipeline), totals, clock, nanoTime, handovers);
    }

    public ReplicaEngine(EngineSettings settings, SinkFanOut pipeline, ReplicaTotals totals, Clock clock, LongSupplier nanoTime,
                         HandoverObserver handovers) {
        this.settings = settings;
        this.pipeline = pipeline;
        this.totals = totals;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.handovers = handovers;
        this.capacity = new CapacityEstimator(settings.capacitySmoothing(), settings.parallelism());
        this.holdbackBudget = new HoldbackBudget(settings.holdbackTotalRecords());
        this.channelContext = new ChannelContext(settings.channel(), pipeline, totals, this, nanoTime, clock, receiveBusyNanos, unregisteredNanos,
                connectFailures, holdbackBudget);
        this.lastTickNanos = nanoTime.getAsLong();
        pipeline.lossListener(this);
    }

    // ---- assignment ----

    /** Runs on a fixed mask without a coordinator: registers every CPU of it, on this replica's node and configured broker. */
    public synchronized void useStaticMask(CpuSet mask) {
        requireActive();
        if (settings.broker() == null) throw new IllegalStateException("a static mask needs tsfleet.listener.broker");
        NodeSlots ns = slots(settings.node());
        ns.endpoint = new NodeEndpoint(settings.broker(), false);
        ns.target = mask;
        targetKnown = true;
        mask.forEach(cpu -> acquire(ns, cpu));
        log.info("static mask {} of node {}: {} CPUs, one broker connection each", mask.toCpulist(), ns.node(), mask.size());
    }

    /** Applies a coordinator directive; a stale or invalid one is refused and changes nothing. */
    public synchronized DirectivePlan apply(ReplicaDirective directive) {
        if (state == State.STOPPED) return null;
        String badBroker = invalidBroker(directive);
        DirectivePlan plan = badBroker != null ? new DirectivePlan(false, badBroker, directive.generation(), Map.of(), Set.of())
                : DirectiveReconciler.reconcile(view(), directive);
        if (!plan.accepted()) {
            refusedDirectives.increment();
            log.warn("directive refused: {}", plan.refusal());
            return plan;
        }
        if (directive.heartbeatMillis() > 0) heartbeatMillis = directive.heartbeatMillis();
        long now = clock.millis();
        for (String node : plan.gone()) {
            NodeSlots ns = nodes.get(node);
            if (ns != null) dropNode(ns);
        }
        boolean changed = plan.generation() != generation || !targetKnown;
        generation = plan.generation();
        targetKnown = true;
        for (NodePlan np : plan.nodes().values()) applyNode(np, now, changed);
        return plan;
    }

    /** Why a broker address of the directive cannot be used (refuses the directive), or null. */
    private static String invalidBroker(ReplicaDirective directive) {
        if (directive == null || directive.nodes() == null) return null;
        for (NodeTarget t : directive.nodes()) {
            if (t == null || t.broker() == null || t.broker().isBlank()) continue;
            try {
                BrokerAddress.parse(t.broker());
            } catch (IllegalArgumentException e) {
                return "broker of node " + t.node() + ": " + e.getMessage();
            }
        }
        return null;
    }

    private void applyNode(NodePlan plan, long now, boolean newGeneration) {
        NodeSlots ns = slots(plan.node());
        NodeEndpoint previous = ns.endpoint;
        NodeEndpoint endpoint = plan.broker() != null ? new NodeEndpoint(BrokerAddress.parse(plan.broker()), true)
                : settings.broker() != null ? new NodeEndpoint(settings.broker(), false) : null;
        if (endpoint == null && previous == null) {
            String why = "the coordinator names no broker for node " + plan.node() + " and tsfleet.listener.broker is not set";
            if (ns.refusal == null) {
                totals.refusedNoBroker.increment();
                log.warn("node {} refused: {} (counted in tsfleet_listener_broker_refusals_total{reason=\"no_broker\"})", plan.node(), why);
            }
            ns.refusal = why;
        } else if (endpoint != null) {
            ns.refusal = null;
            ns.endpoint = endpoint;
        }
        boolean moved = previous != null && endpoint != null && !previous.equals(endpoint);
        String plannedBefore = ns.plannedBootId;
        ns.plannedBootId = plan.bootId();
        boolean rebooted = plan.bootId() != null && plannedBefore != null && !plan.bootId().equals(plannedBefore);
        if (moved || rebooted) {
            log.info("node {}: {}; connections to it that do not see boot {} connect again", plan.node(),
                    moved ? "broker moved from " + previous.broker() + " to " + endpoint.broker() : "rebooted (boot " + plannedBefore + " -> " + plan.bootId() + ")",
                    plan.bootId());
            for (CpuChannel ch : ns.channels.values()) {
                if (moved || !plan.bootId().equals(ch.connectionBootId())) ch.reconnect();
            }
        }
        CpuSet before = ns.target;
        if (newGeneration || before == null || !plan.target().equals(before)) {
            log.info("generation {}: node {} target {} (acquire {}, leave {}, rejoin {})", generation, plan.node(), plan.target().toCpulist(),
                    plan.acquire().toCpulist(), plan.leave().toCpulist(), plan.rejoin().toCpulist());
        }
        ns.target = plan.target();
        plan.rejoin().forEach(cpu -> {
            CpuChannel ch = ns.channels.get(cpu);
            if (ch != null) ch.rejoin();
        });
        plan.leave().forEach(cpu -> {
            CpuChannel ch = ns.channels.get(cpu);
            if (ch != null) ch.leave(now);
        });
        if (ns.endpoint != null) {
            plan.acquire().forEach(cpu -> {
                acquire(ns, cpu);
                ns.firstSeqReports.put(cpu, settings.firstSeqReports());
            });
        }
        plan.fences().forEach((cpu, fence) -> {
            CpuChannel ch = ns.channels.get(cpu);
            if (ch != null) {
                var out = ch.applyFence(fence, now);
                if (out.duplicates() > 0) log.warn("node {} cpu {}: {} records past fence {} were written before the fence arrived (counted as duplicates)",
                        plan.node(), cpu, out.duplicates(), Integer.toUnsignedString(fence));
            }
        });
        if (!plan.ignoredFences().isEmpty()) log.warn("node {}: fences ignored for CPUs still in the target: {}", plan.node(), plan.ignoredFences());
        ns.releasedPending.removeAll(plan.acknowledged());
    }

    /**
     * The node left the directive (its lease expired or it withdrew): every connection to it is closed at once, without
     * fences; records held back for its handovers are dropped with it (counted apart from loss); its state is forgotten
     * and no heartbeat reports it again.
     */
    private void dropNode(NodeSlots ns) {
        nodes.remove(ns.node(), ns);
        ns.target = CpuSet.EMPTY;
        long dropped = 0;
        int connections = 0;
        for (CpuChannel ch : ns.channels.values()) {
            dropped += ch.dropWithNode();
            connections++;
        }
        ns.releasedPending.clear();
        ns.firstSeqReports.clear();
        nodeObserver.nodeRemoved(ns);
        log.info("node {} left the directive: closed {} connections to it, dropped {} held-back records with it (not loss)",
                ns.node(), connections, dropped);
    }

    private NodeSlots slots(String node) {
        NodeSlots ns = nodes.get(node);
        if (ns == null) {
            ns = new NodeSlots(node);
            nodes.put(node, ns);
            nodeObserver.nodeAdded(ns);
        }
        return ns;
    }

    private DirectiveReconciler.ReplicaView view() {
        Map<String, DirectiveReconciler.NodeView> views = new HashMap<>();
        for (NodeSlots ns : nodes.values()) {
            Map<Integer, Phase> phases = new HashMap<>();
            ns.channels.forEach((cpu, ch) -> phases.put(cpu, ch.state().phase()));
            views.put(ns.node(), new DirectiveReconciler.NodeView(phases, Set.copyOf(ns.releasedPending)));
        }
        return new DirectiveReconciler.ReplicaView(generation, views);
    }

    private void acquire(NodeSlots ns, int cpu) {
        CpuChannel existing = ns.channels.get(cpu);
        if (existing != null && !existing.state().isDone()) return;
        CpuChannel ch = new CpuChannel(ns, cpu, channelContext);
        ns.channels.put(cpu, ch);
        ch.start();
    }

    /** Tells {@code observer} of every node held now and of every node added or removed from now on. */
    public synchronized void nodeObserver(NodeObserver observer) {
        this.nodeObserver = observer;
        nodes.values().forEach(observer::nodeAdded);
    }

    /**
     * {@code news} runs (on a channel's thread) when the replica learns something the coordinator waits for: the first
     * sequence number of an acquired CPU, a completed release. Null: nobody is told.
     */
    public void onHandoverNews(Runnable news) {
        this.handoverNews = news;
    }

    private void handoverNews() {
        Runnable r = handoverNews;
        if (r != null) r.run();
    }

    // ---- channel callbacks (channel threads; never take the engine lock) ----

    @Override
    public void firstRecord(CpuChannel channel) {
        NodeSlots ns = channel.slots();
        Integer left = ns.firstSeqReports.get(channel.cpu());
        if (left != null && left == settings.firstSeqReports() && nodes.get(ns.node()) == ns) handoverNews();
    }

    @Override
    public void registered(CpuChannel channel, boolean reconnect) {
        if (reconnect) {
            log.info("node {} cpu {}: registered again after a reconnect", channel.slots().node(), channel.cpu());
        } else {
            handovers.acquired(channel.cpu(), Duration.ofNanos(nanoTime.getAsLong() - channel.createdNanos()));
        }
    }

    @Override
    public void finished(CpuChannel channel) {
        int cpu = channel.cpu();
        NodeSlots ns = channel.slots();
        ns.retire(channel);
        if (state == State.STOPPED || nodes.get(ns.node()) != ns) return; // stopped, or the node is gone: nothing to report
        if (channel.state() instanceof Finished f && f.phase() == Phase.RELEASED) {
            ns.releasedPending.add(cpu);
            ns.firstSeqReports.remove(cpu);
            long since = channel.leavingSinceMillis();
            handovers.released(cpu, Duration.ofMillis(Math.max(0, clock.millis() - since)), f.aborted());
            log.info("node {} cpu {}: released", ns.node(), cpu);
            handoverNews();
        }
        CpuSet t = ns.target;
        if (t != null && t.contains(cpu) && state != State.STOPPED) {
            Thread.ofVirtual().name("reacquire-" + ns.node() + "-" + cpu).start(this::ensureTargetChannels);
        }
    }

    private synchronized void ensureTargetChannels() {
        if (state == State.STOPPED) return;
        for (NodeSlots ns : nodes.values()) {
            CpuSet t = ns.target;
            if (t == null || ns.endpoint == null) continue;
            t.forEach(cpu -> {
                if (!ns.channels.containsKey(cpu)) acquire(ns, cpu);
            });
        }
    }

    /**
     * A sink did not write {@code records} kept records of {@code cpu} (from a connection of {@code origin}: it failed,
     * lost or dropped them): counted on the (node, CPU)'s ledger while it is held (so the next heartbeat reports them
     * for it), else in the replica's totals only (and the node's, while the replica knows the node). Called from any
     * thread (a sink's writer, a reader that dropped a batch for a slow sink, a sink's own I/O threads): the look-up and
     * the count happen under the node's monitor, which a channel that ends also takes to retire its counts, so a count
     * is never added to a ledger that was already retired (it would be missing from the node and the heartbeat).
     */
    @Override
    public void unwritten(RecordOrigin origin, int cpu, long records) {
        NodeSlots ns = null;
        if (origin != null && origin.slotNode() != null) {
            ns = nodes.get(origin.slotNode());
        } else {
            for (NodeSlots candidate : nodes.values()) {
                if (!candidate.channels.containsKey(cpu)) continue;
                if (ns != null) { // the CPU is held on several nodes: which one is not known
                    ns = null;
                    break;
                }
                ns = candidate;
            }
        }
        if (ns == null) {
            totals.unwritten.add(records);
            return;
        }
        synchronized (ns) {
            CpuChannel ch = ns.channels.get(cpu);
            if (ch != null) {
                ch.unwritten(records);
            } else {
                totals.unwritten.add(records);
                ns.retiredUnwritten(records);
            }
        }
    }

    // ---- heartbeat ----

    /** The heartbeat for now: one report per node the replica holds something of (per-CPU arrays in ascending order). */
    public ReplicaHeartbeat heartbeat(String replicaId, String incarnation) {
        List<NodeReport> reports = new ArrayList<>();
        for (NodeSlots ns : nodes.values()) {
            CpuSet.Builder owned = CpuSet.builder();
            List<Double> rates = new ArrayList<>();
            List<Long> lost = new ArrayList<>();
            Map<Integer, Long> firstSeqs = new TreeMap<>();
            for (CpuChannel ch : ns.channels.values()) {
                if (!ch.state().isRegistered()) continue;
                owned.add(ch.cpu());
                rates.add(ch.snapshot().ledger().ratePerSecond());
                lost.add(ch.lostSinceReport());
            }
            ns.firstSeqReports.forEach((cpu, left) -> {
                CpuChannel ch = ns.channels.get(cpu);
                if (ch != null && ch.firstSeq() >= 0) firstSeqs.put(cpu, ch.firstSeq());
            });
            CpuSet.Builder released = CpuSet.builder();
            ns.releasedPending.forEach(released::add);
            CpuSet ownedSet = owned.build();
            CpuSet releasedSet = released.build();
            if (ownedSet.isEmpty() && firstSeqs.isEmpty() && releasedSet.isEmpty()) continue;
            reports.add(new NodeReport(ns.node(), ns.connectionBootId, ownedSet.toCpulist(), rates, lost, firstSeqs, releasedSet.toCpulist()));
        }
        return new ReplicaHeartbeat(replicaId, incarnation, generation, state == State.ACTIVE ? ReplicaHeartbeat.ACTIVE : ReplicaHeartbeat.DRAINING,
                settings.node(), settings.zone(), capacityPerSecond, totals.records.sum(), totals.lostReported(),
                totals.enobufs.sum(), totals.duplicates.sum(), reports);
    }

    /** The coordinator received this heartbeat: the per-CPU loss it carried is reported, first seqs count down. */
    public void delivered(ReplicaHeartbeat hb) {
        for (NodeReport r : hb.nodes()) {
            NodeSlots ns = nodes.get(r.node());
            if (ns == null) continue; // gone since: its state is forgotten
            try {
                int[] owned = CpuSet.parse(r.ownedCpus()).toArray();
                for (int i = 0; i < owned.length && i < r.cpuLost().size(); i++) {
                    CpuChannel ch = ns.channels.get(owned[i]);
                    if (ch != null) ch.reported(r.cpuLost().get(i));
                }
            } catch (Exception e) {
                throw new IllegalStateException("heartbeat built by this engine has an invalid cpulist", e);
            }
            for (Integer cpu : r.firstSeqs().keySet()) {
                ns.firstSeqReports.computeIfPresent(cpu, (c, left) -> left <= 1 ? null : left - 1);
            }
        }
    }

    /**
     * Whether a handover step of this replica waits on the coordinator: a CPU leaving without its fence (its records
     * are held back), or a first sequence number or a release the coordinator has not received yet.
     */
    public boolean awaitingCoordinator() {
        for (NodeSlots ns : nodes.values()) {
            if (!ns.releasedPending.isEmpty()) return true;
            for (CpuChannel ch : ns.channels.values()) {
                if (ch.state().phase() == Phase.LEAVING) return true;
            }
            for (Map.Entry<Integer, Integer> e : ns.firstSeqReports.entrySet()) {
                CpuChannel ch = ns.channels.get(e.getKey());
                if (e.getValue() == settings.firstSeqReports() && ch != null && ch.firstSeq() >= 0) return true;
            }
        }
        return false;
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
        for (CpuChannel ch : allChannels()) {
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

    /**
     * Ready: a mask is known, every CPU of it (on every node) is registered on a live connection, and the replica is
     * not draining. A node the replica refused (no broker) keeps it unready.
     */
    public boolean ready() {
        if (state != State.ACTIVE || !targetKnown) return false;
        for (NodeSlots ns : nodes.values()) {
            CpuSet t = ns.target;
            if (t == null) continue;
            for (int cpu : t.toArray()) {
                CpuChannel ch = ns.channels.get(cpu);
                if (ch == null || !ch.state().isRegistered()) return false;
            }
        }
        return true;
    }

    /** SIGTERM: report DRAINING so the coordinator moves the CPUs away. */
    public synchronized void beginDrain() {
        if (state == State.ACTIVE) {
            state = State.DRAINING;
            log.info("draining: asking the coordinator to move {} CPUs away", allChannels().size());
        }
    }

    /** Drained: the coordinator emptied the target and every CPU has been released after its fence. */
    public boolean drained() {
        if (state != State.DRAINING || !targetKnown) return false;
        for (NodeSlots ns : nodes.values()) {
            if (!ns.target().isEmpty() || !ns.channels.isEmpty()) return false;
        }
        return true;
    }

    /** Deregisters every CPU still held (bounded), stops the channels. The sink is closed separately. */
    public void shutdown(Duration deregisterTimeout) throws InterruptedException {
        List<CpuChannel> toStop;
        synchronized (this) {
            if (state == State.STOPPED) return;
            state = State.STOPPED;
            toStop = allChannels();
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
        for (NodeSlots ns : nodes.values()) ns.channels.clear();
        log.info("deregistered and closed {} CPU connections", toStop.size());
    }

    // ---- views ----

    /** Every slot held, by node name, then CPU. */
    public List<CpuChannelStatus> cpus() {
        List<CpuChannelStatus> out = new ArrayList<>();
        for (CpuChannel ch : allChannels()) out.add(ch.snapshot());
        return out;
    }

    /** CPU {@code cpu} of the first node (by name) the replica holds it on. */
    public Optional<CpuChannelStatus> cpu(int cpu) {
        for (NodeSlots ns : nodes.values()) {
            CpuChannel ch = ns.channels.get(cpu);
            if (ch != null) return Optional.of(ch.snapshot());
        }
        return Optional.empty();
    }

    /** The slot (node, cpu), when held. */
    public Optional<CpuChannelStatus> cpu(String node, int cpu) {
        NodeSlots ns = nodes.get(node);
        CpuChannel ch = ns == null ? null : ns.channels.get(cpu);
        return ch == null ? Optional.empty() : Optional.of(ch.snapshot());
    }

    /** The nodes the replica holds state for, by name. */
    public List<NodeSlots> nodes() {
        return List.copyOf(nodes.values());
    }

    /** What the replica holds on {@code node}. */
    public Optional<NodeSlots> node(String node) {
        return Optional.ofNullable(nodes.get(node));
    }

    /** The node the replica runs on ({@code tsfleet.listener.node}). */
    public String ownNode() {
        return settings.node();
    }

    private List<CpuChannel> allChannels() {
        List<CpuChannel> out = new ArrayList<>();
        for (NodeSlots ns : nodes.values()) out.addAll(ns.channels.values());
        return out;
    }

    public State state() {
        return state;
    }

    public long generation() {
        return generation;
    }

    /** Whether a mask is known (the static mask, or a directive). */
    public boolean targetKnown() {
        return targetKnown;
    }

    /** Slots in the target, over every node. */
    public int targetSize() {
        int n = 0;
        for (NodeSlots ns : nodes.values()) n += ns.target().size();
        return n;
    }

    /** The registered CPUs of every node, for the logs: {@code node-a 0-3, node-b 5} ({@code none} when there are none). */
    public String ownedDescription() {
        StringBuilder sb = new StringBuilder();
        for (NodeSlots ns : nodes.values()) {
            CpuSet owned = ns.owned();
            if (owned.isEmpty()) continue;
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(ns.node()).append(' ').append(owned.toCpulist());
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    /** Slots registered on a live connection, over every node. */
    public int ownedCount() {
        int n = 0;
        for (NodeSlots ns : nodes.values()) n += ns.ownedCount();
        return n;
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

    public SinkFanOut pipeline() {
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
        for (CpuChannel ch : allChannels()) if (ch.state().phase() != Phase.OWNED) n++;
        return n;
    }

    private void requireActive() {
        if (state != State.ACTIVE) throw new IllegalStateException("replica is " + state);
    }
}
