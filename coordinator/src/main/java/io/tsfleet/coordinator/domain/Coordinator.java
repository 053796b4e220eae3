package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounts;
import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.FleetLoad;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.HeartbeatAdmission;
import io.tsfleet.coordinator.domain.fleet.HeartbeatReport;
import io.tsfleet.coordinator.domain.fleet.LeaseJudge;
import io.tsfleet.coordinator.domain.fleet.LoadTracker;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;
import io.tsfleet.coordinator.domain.fleet.SnapshotCodec;
import io.tsfleet.coordinator.domain.policy.RebalancePolicy;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.coordinator.domain.policy.ScalingAdvisor;
import io.tsfleet.coordinator.domain.policy.ScalingRecommendation;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.AssignmentStore;
import io.tsfleet.coordinator.domain.view.AssignmentView;
import io.tsfleet.coordinator.domain.view.CoordinatorStatus;
import io.tsfleet.coordinator.domain.view.CpuView;
import io.tsfleet.coordinator.domain.view.RebalanceResult;
import io.tsfleet.coordinator.domain.view.ReplicaView;
import io.tsfleet.planner.CpuAssignor;
import io.tsfleet.planner.PlanningMode;
import io.tsfleet.planner.TargetAssignment;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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

    private final CpuTable table;
    private final Membership membership;
    private final Map<String, CpuSet> pins = new TreeMap<>();
    private final LoadTracker loads;
    private final Generations generations;
    private final Reconciler reconciler;
    private final FleetLoad fleetLoad;
    private final ScalingAdvisor scaling;
    private final AuditLog audit;
    private final Effects effects;

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
        this(settings, assignor, store, clock, new AuditLog(settings.auditCapacity()));
    }

    /**
     * A coordinator recovered from the store after {@code failed} could not persist its state (or after a conflict):
     * the assignment is the persisted one, the audit log continues.
     */
    public static Coordinator recover(Coordinator failed) {
        return new Coordinator(failed.settings, failed.assignor, failed.store, failed.clock, failed.audit);
    }

    private Coordinator(CoordinatorSettings settings, CpuAssignor assignor, AssignmentStore store, Clock clock, AuditLog audit) {
        this.settings = settings;
        this.assignor = assignor;
        this.store = store;
        this.clock = clock;
        this.audit = audit;
        Instant startedAt = clock.instant();
        this.table = new CpuTable(settings.possibleCpus());
        this.membership = new Membership();
        this.loads = new LoadTracker(settings.possibleCpus().length(), settings.loadSmoothing());
        this.fleetLoad = new FleetLoad(table, membership, loads, settings.planner());
        Optional<AssignmentSnapshot> saved = store.load();
        // only a coordinator without a persisted assignment adopts a joining replica's higher generation
        boolean startedEmpty = saved.isEmpty();
        this.generations = new Generations(saved.map(AssignmentSnapshot::generation).orElse(0L));
        this.effects = new Effects(clock, generations);
        this.reconciler = new Reconciler(table, membership.members(), loads, generations, settings.reconciler(), effects);
        this.scaling = new ScalingAdvisor(settings.scaling());
        Departures departures = new Departures(membership, pins, reconciler);
        this.leases = new LeaseKeeping(new LeaseJudge(settings.lease(), startedAt), membership, departures, settings.lease());
        this.heartbeats = new HeartbeatStep(new HeartbeatAdmission(settings.lease(), settings.maxMembers(), startedEmpty), membership,
                generations, leases, departures, table, loads, reconciler);
        // a fresh fleet gets one full plan once loads are known; a recovered assignment was planned already
        this.plans = new PlanMaker(settings, assignor, table, membership, pins, loads, reconciler, generations, fleetLoad, startedAt,
                startedEmpty, () -> scaling().desiredReplicas());
        this.triggers = new PlanTriggers(settings.policy(), new RebalancePolicy(settings.policy()), plans, table, membership, reconciler, fleetLoad);
        this.admin = new AdminActions(membership, pins, departures, table.possible());
        this.commit = new AssignmentCommit(store, generations, () -> SnapshotCodec.snapshot(generations.current(), table, membership, pins, loads));
        this.statusReport = new StatusReport(table, membership, reconciler, fleetLoad, scaling);
        if (saved.isPresent()) {
            SnapshotCodec.Restored r = SnapshotCodec.restore(saved.get(), table, membership, pins, loads, startedAt);
            effects.audit(startedAt, new FleetEvent.Recovered(saved.get().generation(), r.replicas(), r.handovers(), r.releases(),
                    saved.get().loads().size(), r.droppedCpus()));
        } else {
            effects.audit(startedAt, new FleetEvent.Started());
        }
        generations.commit();
        finish(startedAt);
    }

    // ------------------------------------------------------------------------------------------ operations

    /** A replica's heartbeat: join, report, handover progress; answers its directive. */
    public ReplicaDirective heartbeat(String pathId, ReplicaHeartbeat raw) {
        return heartbeat(parseHeartbeat(pathId, raw, table.possible()));
    }

    /**
     * Validates a heartbeat and parses its cpulists into an immutable report, without touching any state: the
     * service runs this outside its lock, so that parsing a large body never delays another replica's heartbeat.
     */
    public static HeartbeatReport parseHeartbeat(String pathId, ReplicaHeartbeat raw, CpuSet possible) {
        return HeartbeatParser.parse(pathId, raw, possible);
    }

    /**
     * A parsed heartbeat (see {@link #parseHeartbeat}). Refused, changing nothing but a counter: a late heartbeat of a
     * replaced incarnation, a new incarnation of a member whose lease has not expired, a new member beyond
     * {@code maxMembers}, and a generation this coordinator never issued.
     */
    public ReplicaDirective heartbeat(HeartbeatReport hb) {
        return operation(now -> {
            leases.creditStall(now, effects);
            switch (heartbeats.apply(hb, now, effects)) {
                case HeartbeatStep.Outcome.Refused r -> {
                    finish(now);
                    throw new CoordinatorException.Conflict(r.message());
                }
                case HeartbeatStep.Outcome.Accepted a -> {
                    if (a.incarnationChanged()) commit.incarnationsChanged();
                    if (!a.stale()) {
                        if (a.membershipChanged()) plans.plan(RebalanceTrigger.MEMBERSHIP, plans.mode(now), now, effects);
                        reconciler.startHandovers(now);
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
            leases.creditStall(now, effects);
            boolean membershipChanged = leases.expire(now, effects);
            reconciler.checkTimeouts(now);
            triggers.planOnTick(membershipChanged, now, effects);
            reconciler.startHandovers(now);
            scaling.recommend(fleetLoad.activeReplicas(), fleetLoad.cpuLoads(), fleetLoad.activeCapacities(), settings.planner().headroom(), now);
            commitAndFinish(now);
            return null;
        });
    }

    /** Pins {@code cpulist} to the replica: it will own exactly those CPUs, moved to it make before break. */
    public RebalanceResult setMask(String id, String cpulist) {
        return setMask(id, Validation.possibleSubset(cpulist, table.possible()));
    }

    /** {@link #setMask(String, String)} with the cpulist parsed already ({@link Validation#possibleSubset}, outside the lock). */
    public RebalanceResult setMask(String id, CpuSet cpus) {
        return operation(now -> {
            admin.pin(id, cpus, now, effects);
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
        audit.record(clock.instant(), generations.current(), event);
    }

    private RebalanceResult planForAdmin(PlanningMode mode, Instant now) {
        RebalanceResult result = plans.plan(RebalanceTrigger.ADMIN, mode, now, effects);
        reconciler.startHandovers(now);
        commitAndFinish(now);
        return Plans.withGeneration(result, generations.current());
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

    /** Applies the operation's effects and takes the status. */
    private void finish(Instant now) {
        applyEffects();
        status = statusReport.take(generations.current(), counts);
    }

    private void applyEffects() {
        Effects.Drained done = effects.drain();
        for (Effects.Stamped e : done.events()) audit.record(e.time(), e.generation(), e.event());
        counts = counts.plus(done.counts());
    }

    // ------------------------------------------------------------------------------------------ reads

    public AssignmentView assignment() {
        return Views.assignment(table, membership, reconciler, pins, generations.current(), assignor.name());
    }

    public List<ReplicaView> replicas() {
        return Views.replicas(table, membership, pins, loads);
    }

    public ReplicaView replica(String id) {
        admin.requireMember(id);
        return replicas().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    public CpuView cpu(int cpu) {
        if (!table.isPossible(cpu)) {
            throw new CoordinatorException.InvalidRequest("CPU " + cpu + " is not a possible CPU (possible: " + table.possible().toCpulist() + ")");
        }
        return Views.cpu(cpu, table, membership, reconciler, loads, pins, fleetLoad.hotLimit());
    }

    public ScalingRecommendation scaling() {
        ScalingRecommendation last = scaling.last();
        return last != null ? last : scaling.recommend(fleetLoad.activeReplicas(), fleetLoad.cpuLoads(), fleetLoad.activeCapacities(),
                settings.planner().headroom(), clock.instant());
    }

    public List<AuditEvent> audit(int limit) {
        return audit.recent(limit);
    }

    public CoordinatorStatus status() {
        return status;
    }

    /** What this coordinator counted since it started (the status shows the same numbers). */
    public FleetCounts counts() {
        return counts;
    }

    public long generation() {
        return generations.current();
    }

    public CoordinatorSettings settings() {
        return settings;
    }

    /** The directive a replica would get now (for tests and the admin view); no side effects. */
    public ReplicaDirective directiveFor(String id) {
        return new ReplicaDirective(generations.current(), table.directiveTarget(id).toCpulist(), table.releaseFences(id),
                settings.heartbeatInterval().toMillis(), settings.lease().toMillis());
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
