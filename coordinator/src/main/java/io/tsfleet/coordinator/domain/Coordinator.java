package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounts;
import io.tsfleet.coordinator.domain.fleet.FleetLoad;
import io.tsfleet.coordinator.domain.fleet.AnnouncedNode;
import io.tsfleet.coordinator.domain.fleet.HeartbeatReport;
import io.tsfleet.coordinator.domain.fleet.LiveNode;
import io.tsfleet.coordinator.domain.fleet.NodeRegistry;
import io.tsfleet.coordinator.domain.fleet.NodeSettings;
import io.tsfleet.coordinator.domain.fleet.SlotSpace;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.coordinator.domain.policy.ScalingAdvisor;
import io.tsfleet.coordinator.domain.policy.ScalingRecommendation;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.AssignmentStore;
import io.tsfleet.coordinator.domain.view.AssignmentView;
import io.tsfleet.coordinator.domain.view.CoordinatorStatus;
import io.tsfleet.coordinator.domain.view.CpuView;
import io.tsfleet.coordinator.domain.view.NodeView;
import io.tsfleet.coordinator.domain.view.RebalanceResult;
import io.tsfleet.coordinator.domain.view.ReplicaView;
import io.tsfleet.planner.CpuAssignor;
import io.tsfleet.planner.PlanningMode;
import io.tsfleet.planner.TargetAssignment;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.protocol.fleet.NodeLease;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The coordinator's domain core behind a handful of operations (a heartbeat, a periodic tick, admin calls). Each
 * operation runs small steps ({@link HeartbeatStep}, {@link LeaseKeeping}, {@link PlanTriggers}, {@link PlanMaker},
 * {@link AdminActions}) that report what they did as data into the operation's {@link Effects}; the operation ends
 * with {@link AssignmentCommit} (a changed directive is persisted before anything is answered), and its effects go
 * to the audit log ({@link AuditWording}) and the counters. Plain Java with an injected clock; not thread-safe (the
 * service calls it under one lock), never blocks, never sleeps.
 */
public final class Coordinator {
    private final CoordinatorSettings settings;
    private final CpuAssignor assignor;
    private final AssignmentStore store;
    private final Clock clock;

    private final FleetState fleet;
    private final ScalingAdvisor scaling;
    private final AuditLog audit;
    private final Effects effects;
    /** The nodes whose agents hold a lease; not persisted, handed on to a coordinator recovered after a failed persist. */
    private final NodeRegistry nodes;

    private final LeaseKeeping leases;
    private final HeartbeatStep heartbeats;
    private final PlanMaker plans;
    private final PlanTriggers triggers;
    private final AdminActions admin;
    private final AssignmentCommit commit;
    private final StatusReport statusReport;

    private FleetCounts counts = FleetCounts.ZERO;
    private CoordinatorStatus status;

    public Coordinator(CoordinatorSettings settings, CpuAssignor assignor, AssignmentStore store, Clock clock) {
        this(settings, NodeSettings.DEFAULTS, assignor, store, clock);
    }

    public Coordinator(CoordinatorSettings settings, NodeSettings nodeSettings, CpuAssignor assignor, AssignmentStore store, Clock clock) {
        this(settings, assignor, store, clock, new AuditLog(settings.auditCapacity()), new NodeRegistry(clock, nodeSettings));
    }

    /**
     * A coordinator recovered from the store after {@code failed} could not persist its state (or after a conflict):
     * the assignment is the persisted one, the audit log continues.
     */
    public static Coordinator recover(Coordinator failed) {
        return new Coordinator(failed.settings, failed.assignor, failed.store, failed.clock, failed.audit, failed.nodes);
    }

    private Coordinator(CoordinatorSettings settings, CpuAssignor assignor, AssignmentStore store, Clock clock, AuditLog audit,
                        NodeRegistry nodes) {
        this.settings = settings;
        this.nodes = nodes;
        this.assignor = assignor;
        this.store = store;
        this.clock = clock;
        this.audit = audit;
        Instant startedAt = clock.instant();
        Optional<AssignmentSnapshot> saved = store.load();
        // only a coordinator without a persisted assignment adopts a joining replica's higher generation
        boolean startedEmpty = saved.isEmpty();
        this.fleet = FleetState.create(settings, saved.map(AssignmentSnapshot::generation).orElse(0L), clock);
        this.effects = fleet.effects();
        this.scaling = new ScalingAdvisor(settings.scaling());
        Departures departures = new Departures(fleet);
        this.leases = new LeaseKeeping(fleet, departures, startedAt);
        this.heartbeats = new HeartbeatStep(fleet, startedEmpty, leases, departures);
        // a fresh fleet gets one full plan once loads are known; a recovered assignment was planned already
        this.plans = new PlanMaker(fleet, assignor, startedAt, startedEmpty, () -> scaling().desiredReplicas());
        this.triggers = new PlanTriggers(fleet, plans);
        this.admin = new AdminActions(fleet, departures);
        this.commit = new AssignmentCommit(store, fleet.generations(), fleet::snapshot);
        this.statusReport = new StatusReport(fleet, scaling);
        effects.audit(startedAt, saved.isPresent() ? fleet.restore(saved.get(), startedAt) : new FleetEvent.Started());
        for (SlotSpace.NodeBlock b : fleet.slots().staticFleet() ? List.<SlotSpace.NodeBlock>of() : slotSpace().blocks()) {
            nodes.presume(new AnnouncedNode(b.node(), b.bootId(), b.cpus(), b.broker(), NodeAnnouncement.UNKNOWN, b.zone()));
        }
        fleet.generations().commit();
        finish(startedAt);
    }

    // ------------------------------------------------------------------------------------------ operations

    /** A replica's heartbeat: join, report, handover progress; answers its directive. */
    public ReplicaDirective heartbeat(String pathId, ReplicaHeartbeat raw) {
        return heartbeat(parseHeartbeat(pathId, raw, slotSpace()));
    }

    /**
     * Validates a heartbeat and parses its cpulists into an immutable report, without touching any state: the
     * service runs this outside its lock, so that parsing a large body never delays another replica's heartbeat.
     */
    public static HeartbeatReport parseHeartbeat(String pathId, ReplicaHeartbeat raw, SlotSpace space) {
        return HeartbeatParser.parse(pathId, raw, space);
    }

    /** The nodes and their slots now; safe to read outside the service's lock (for {@link #parseHeartbeat}). */
    public SlotSpace slotSpace() {
        return fleet.slots().space();
    }

    /**
     * A parsed heartbeat (see {@link #parseHeartbeat}). Refused, changing nothing but a counter: a late heartbeat of a
     * replaced incarnation, a new incarnation of a member whose lease has not expired, a new member beyond
     * {@code maxMembers}, and a generation this coordinator never issued.
     */
    public ReplicaDirective heartbeat(HeartbeatReport hb) {
        return operation(now -> {
            nodes.creditStall(leases.creditStall(now, effects));
            switch (heartbeats.apply(hb, now, effects)) {
                case HeartbeatStep.Outcome.Refused r -> {
                    finish(now);
                    throw new CoordinatorException.Conflict(r.message());
                }
                case HeartbeatStep.Outcome.Accepted a -> {
                    if (a.incarnationChanged()) commit.incarnationsChanged();
                    if (!a.stale()) {
                        if (a.membershipChanged()) plans.plan(RebalanceTrigger.MEMBERSHIP, plans.mode(now), now, effects);
                        fleet.reconciler().startHandovers(now);
                    }
                    commitAndFinish(now);
                    return directiveFor(a.replica());
                }
            }
        });
    }

    /** The periodic step: leases, timeouts, coverage, the rebalancing policy, handover starts, scaling advice. */
    public void tick() {
        operation(now -> {
            nodes.creditStall(leases.creditStall(now, effects));
            boolean membershipChanged = leases.expire(now, effects);
            for (String gone : nodes.expire(effects)) fleet.slots().gone(gone);
            fleet.reconciler().checkTimeouts(now);
            triggers.planOnTick(membershipChanged, now, effects);
            fleet.reconciler().startHandovers(now);
            recommendScaling(now);
            commitAndFinish(now);
            return null;
        });
    }

    /**
     * Validates a node announcement and parses it, without touching any state (the service runs this outside its lock).
     */
    public static AnnouncedNode parseAnnouncement(String pathName, NodeAnnouncement raw) {
        return NodeAnnouncementParser.parse(pathName, raw);
    }

    /** Whether {@code name} is a node name as Kubernetes allows it (a DNS subdomain). */
    public static boolean isNodeName(String name) {
        return NodeAnnouncementParser.isNodeName(name);
    }

    /**
     * A node agent's announcement (parsed, see {@link #parseAnnouncement}): the node joins, renews its lease or, with a
     * new boot id, reboots. Refused with 409, changing nothing but a counter, when it would be one node more than
     * {@code max-nodes}.
     */
    public NodeLease announce(AnnouncedNode node) {
        return operation(now -> {
            NodeRegistry.Announced outcome = nodes.announce(node, effects);
            if (outcome != NodeRegistry.Announced.REFUSED_AT_LIMIT) fleet.slots().announced(node, now);
            commitAndFinish(now);
            if (outcome == NodeRegistry.Announced.REFUSED_AT_LIMIT) {
                throw new CoordinatorException.Conflict("node '" + node.name() + "' is not registered: " + nodes.size()
                        + " nodes are, the limit (tsfleet.coordinator.nodes.max-nodes) is " + nodes.settings().maxNodes());
            }
            return nodeLease();
        });
    }

    /** A node agent withdraws its node (it shuts down): the node is dropped at once. False when it was not registered. */
    public boolean withdrawNode(String name) {
        return operation(now -> {
            boolean known = nodes.withdraw(name, effects);
            fleet.slots().gone(name);
            commitAndFinish(now);
            return known;
        });
    }

    /** What every announcement is answered. */
    public NodeLease nodeLease() {
        return new NodeLease(nodes.settings().lease().toMillis(), nodes.settings().announceInterval().toMillis());
    }

    /** The registered nodes, by name. */
    public List<NodeView> nodes() {
        CpuSet uncovered = statusReport.uncovered();
        SlotSpace space = slotSpace();
        return nodes.nodes().stream().map(n -> view(n, space, uncovered)).toList();
    }

    /** How many nodes are registered. */
    public int nodeCount() {
        return nodes.size();
    }

    /** A node as {@code GET /api/v1/nodes} shows it, with its uncovered CPUs when its CPUs are slots of this fleet. */
    private static NodeView view(LiveNode n, SlotSpace space, CpuSet uncoveredSlots) {
        AnnouncedNode a = n.announced();
        SlotSpace.NodeBlock block = space.node(a.name());
        CpuSet uncovered = block == null ? null : uncoveredSlots.intersect(block.slots()).shift(-block.offset());
        return new NodeView(a.name(), a.bootId(), a.possibleCpus().toCpulist(), a.broker(), a.zone(), a.delayAccounting(), n.joinedAt(),
                n.lastSeen(), n.leaseExpiresAt(), block != null, uncovered == null ? null : uncovered.toCpulist());
    }

    /**
     * Pins CPUs of one node to the replica: it will own exactly its pinned slots, these moved to it make before break.
     * Its pins on other nodes stay. {@code node} may be null on a fleet of one node.
     */
    public RebalanceResult setMask(String id, String node, String cpulist) {
        return setMask(id, Validation.nodeSlots(node, cpulist, slotSpace()));
    }

    /** {@link #setMask(String, String, String)} on a fleet of one node. */
    public RebalanceResult setMask(String id, String cpulist) {
        return setMask(id, null, cpulist);
    }

    /** {@link #setMask(String, String, String)} with the slots resolved already ({@link Validation#nodeSlots}, outside the lock). */
    public RebalanceResult setMask(String id, Validation.NodeSlots slots) {
        return operation(now -> {
            SlotSpace.NodeBlock block = slotSpace().node(slots.node());
            if (block == null) throw new CoordinatorException.InvalidRequest("node '" + slots.node() + "' left the fleet");
            CpuSet pin = fleet.pins().getOrDefault(id, CpuSet.EMPTY).minus(block.slots()).union(slots.slots());
            admin.pin(id, pin, now, effects);
            return planForAdmin(plans.mode(now), now);
        });
    }

    /** Removes the replica's pin; its CPUs become plannable again. */
    public RebalanceResult clearMask(String id) {
        return operation(now -> {
            admin.unpin(id, now, effects);
            return planForAdmin(plans.mode(now), now);
        });
    }

    /** Drains a replica: its CPUs move away make before break, then its target is empty. */
    public RebalanceResult drain(String id) {
        return operation(now -> {
            admin.drain(id, now, effects);
            return planForAdmin(plans.mode(now), now);
        });
    }

    /** Plans now with full planning; a dry run returns the plan and its moves and changes nothing. */
    public RebalanceResult rebalance(boolean dryRun) {
        return operation(now -> dryRun ? plans.dryRun() : planForAdmin(PlanningMode.FULL, now));
    }

    /** Records an event of an adapter (e.g. a scaling action) in the audit log. */
    public void note(FleetEvent event) {
        audit.record(clock.instant(), generation(), event, slotSpace());
    }

    private RebalanceResult planForAdmin(PlanningMode mode, Instant now) {
        RebalanceResult result = plans.plan(RebalanceTrigger.ADMIN, mode, now, effects);
        fleet.reconciler().startHandovers(now);
        commitAndFinish(now);
        return Plans.withGeneration(result, generation());
    }

    /** Runs {@code body} at the clock's now; whatever it did goes to the audit log and the counters, even when it throws. */
    private <T> T operation(Function<Instant, T> body) {
        if (commit.discarded()) throw new IllegalStateException("this coordinator's state was not persisted; recover a new one from the store");
        try {
            return body.apply(clock.instant());
        } finally {
            applyEffects();
        }
    }

    /** Persists a new generation ({@link StateNotPersistedException} if the store does not take it), then {@link #finish}. */
    private void commitAndFinish(Instant now) {
        try {
            commit.commit(now, effects);
        } finally {
            finish(now);
        }
    }

    /**
     * Applies the operation's effects; the status is taken again when it is next read ({@link #status()}): taking it
     * scans every slot, which after every heartbeat of a large fleet would cost more than the heartbeat itself.
     */
    private void finish(Instant now) {
        applyEffects();
        status = null;
    }

    private void applyEffects() {
        Effects.Drained done = effects.drain();
        for (Effects.Stamped e : done.events()) audit.record(e.time(), e.generation(), e.event(), slotSpace());
        counts = counts.plus(done.counts());
    }

    // ------------------------------------------------------------------------------------------ reads

    public AssignmentView assignment() {
        return Views.assignment(fleet.table(), fleet.membership(), fleet.reconciler(), fleet.pins(), generation(), assignor.name(), slotSpace());
    }

    public List<ReplicaView> replicas() {
        return Views.replicas(fleet.table(), fleet.membership(), fleet.pins(), fleet.loads(), slotSpace());
    }

    public ReplicaView replica(String id) {
        admin.requireMember(id);
        return replicas().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    /** One CPU of a fleet of one node. */
    public CpuView cpu(int cpu) {
        return cpu(null, cpu);
    }

    /** One CPU of a node; {@code node} may be null on a fleet of one node. */
    public CpuView cpu(String node, int cpu) {
        int slot = Validation.slot(node, cpu, slotSpace());
        return Views.cpu(slot, fleet.table(), fleet.membership(), fleet.reconciler(), fleet.loads(), fleet.pins(), fleet.fleetLoad().hotLimit(),
                slotSpace());
    }

    public ScalingRecommendation scaling() {
        ScalingRecommendation last = scaling.last();
        return last != null ? last : recommendScaling(clock.instant());
    }

    private ScalingRecommendation recommendScaling(Instant now) {
        FleetLoad load = fleet.fleetLoad();
        return scaling.recommend(load.activeReplicas(), load.cpuLoads(), load.activeCapacities(), settings.planner().headroom(), now);
    }

    public List<AuditEvent> audit(int limit) {
        return audit.recent(limit);
    }

    /** The fleet's numbers and counters after the last operation (taken on the first read after it). */
    public CoordinatorStatus status() {
        CoordinatorStatus s = status;
        if (s == null) {
            s = statusReport.take(generation(), counts);
            status = s;
        }
        return s;
    }

    /** What this coordinator counted since it started (the status shows the same numbers). */
    public FleetCounts counts() {
        return counts;
    }

    public long generation() {
        return fleet.generations().current();
    }

    public CoordinatorSettings settings() {
        return settings;
    }

    /** The directive a replica would get now (for tests and the admin view); no side effects. */
    public ReplicaDirective directiveFor(String id) {
        return Directives.of(id, generation(), fleet.table(), slotSpace(), settings);
    }

    /** Whether a failed persist left this instance ahead of the store: it refuses every operation. */
    public boolean discarded() {
        return commit.discarded();
    }

    /** Possible CPUs that no live replica reports being registered on. */
    public CpuSet uncovered() {
        return statusReport.uncovered();
    }

    /** The last plan made (null before the first). */
    public TargetAssignment lastPlan() {
        return plans.lastPlan();
    }
}
