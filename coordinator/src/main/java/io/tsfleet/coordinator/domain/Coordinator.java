package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.FleetLoad;
import io.tsfleet.coordinator.domain.fleet.HeartbeatAdmission;
import io.tsfleet.coordinator.domain.fleet.HeartbeatAdmission.Verdict;
import io.tsfleet.coordinator.domain.fleet.CpuTable;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.HeartbeatReport;
import io.tsfleet.coordinator.domain.fleet.LeaseJudge;
import io.tsfleet.coordinator.domain.fleet.LoadTracker;
import io.tsfleet.coordinator.domain.fleet.Member;
import io.tsfleet.coordinator.domain.fleet.MemberState;
import io.tsfleet.coordinator.domain.fleet.Membership;
import io.tsfleet.coordinator.domain.fleet.Reconciler;
import io.tsfleet.coordinator.domain.fleet.SnapshotCodec;
import io.tsfleet.planner.CpuAssignor;
import io.tsfleet.planner.LoadStats;
import io.tsfleet.planner.PlanningInput;
import io.tsfleet.planner.PlanningMode;
import io.tsfleet.planner.ReplicaSlot;
import io.tsfleet.planner.TargetAssignment;
import io.tsfleet.coordinator.domain.policy.FleetObservation;
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
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The coordinator's domain core: membership, planning, policy, reconciliation, scaling advice and persistence,
 * behind a handful of operations (a heartbeat, a periodic tick, admin calls). Plain Java with an injected clock;
 * not thread-safe (the service calls it under one lock), never blocks, never sleeps.
 *
 * <p>Each operation ends with {@link #commit()}: if any directive changed, the generation was bumped and the
 * assignment is persisted before the operation returns, so no replica can apply a generation the store does not
 * know (static stability across restarts and leader changes).
 */
public final class Coordinator {
    private final CoordinatorSettings settings;
    private final CpuAssignor assignor;
    private final AssignmentStore store;
    private final Clock clock;
    private final Instant startedAt;

    private final CpuTable table;
    private final Membership membership;
    private final LeaseJudge leases;
    private final LoadTracker loads;
    private final Generations generations;
    private final Reconciler reconciler;
    private final RebalancePolicy policy;
    private final ScalingAdvisor scaling;
    private final AuditLog audit;
    private final FleetLoad fleetLoad;
    private final FleetCounters counters;
    private final Map<String, CpuSet> pins = new TreeMap<>();
    /**
     * Whether this coordinator started without a persisted assignment (the memory store, or a lost state file or
     * ConfigMap): only then can a replica hold a generation it never issued, and a joining replica's generation is
     * adopted. With a persisted assignment every generation handed out was persisted first, so a higher one is refused.
     */
    private final boolean startedEmpty;
    private final HeartbeatAdmission admission;

    private boolean discarded;
    /** A member joined or was confirmed: its incarnation is persisted with the next commit even without a new generation. */
    private boolean incarnationsChanged;
    private TargetAssignment lastPlan;
    private boolean fullPlanPending;
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
        this.startedAt = clock.instant();
        CpuSet possible = settings.possibleCpus();
        this.table = new CpuTable(possible);
        this.membership = new Membership();
        this.leases = new LeaseJudge(settings.lease(), startedAt);
        this.loads = new LoadTracker(possible.length(), settings.loadSmoothing());
        this.audit = audit;
        this.fleetLoad = new FleetLoad(table, membership, loads, settings.planner());
        Optional<AssignmentSnapshot> saved = store.load();
        this.startedEmpty = saved.isEmpty();
        this.admission = new HeartbeatAdmission(settings.lease(), settings.maxMembers(), startedEmpty);
        this.generations = new Generations(saved.map(AssignmentSnapshot::generation).orElse(0L));
        this.counters = new FleetCounters(audit, generations, clock);
        this.reconciler = new Reconciler(table, membership.members(), loads, generations, settings.reconciler(), counters);
        this.policy = new RebalancePolicy(settings.policy());
        this.scaling = new ScalingAdvisor(settings.scaling());
        saved.ifPresentOrElse(this::recover, () -> audit.record(startedAt, 0, AuditType.START, null, -1, "no persisted assignment: starting empty"));
        // a fresh fleet gets one full plan once loads are known; a recovered assignment was planned already, and any
        // load-driven change of it goes through the policy (its thresholds and sustain windows), with the persisted loads
        this.fullPlanPending = startedEmpty;
        generations.commit();
        refreshStatus(startedAt);
    }

    private void recover(AssignmentSnapshot snapshot) {
        SnapshotCodec.Restored r = SnapshotCodec.restore(snapshot, table, membership, pins, loads, startedAt);
        audit.record(startedAt, generations.current(), AuditType.RECOVERED, null, -1, "recovered generation " + snapshot.generation() + " with "
                + r.replicas() + " replicas (presumed alive for one lease), " + r.handovers() + " handovers, " + r.releases()
                + " releases, loads of " + snapshot.loads().size() + " CPUs" + (r.droppedCpus().isEmpty() ? "" : "; CPUs no longer possible dropped: " + r.droppedCpus()));
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
        requireNotDiscarded();
        Instant now = clock.instant();
        creditStall(now);
        Verdict verdict = admission.judge(hb, membership, generations.current(), now);
        boolean membershipChanged = verdict instanceof Verdict.Joins || verdict instanceof Verdict.Restarts;
        Member m = switch (verdict) {
            case Verdict.Refused r -> {
                if (r.stale()) counters.staleHeartbeat();
                throw refuse(r.reason(), r.message(), now);
            }
            case Verdict.Restarts r -> {
                Member old = r.predecessor();
                audit.record(now, generations.current(), AuditType.RESTARTED, old.id(), -1, "new incarnation " + hb.incarnation()
                        + " replaces " + old.knownIncarnation() + (old.presumed() ? " (recovered from the persisted assignment and "
                        + "not heard from since)" : " (whose lease expired at " + admission.leaseEnd(old) + ")"));
                membership.retire(old.id(), old.knownIncarnation());
                removeMember(old.id(), true, now);
                yield join(hb, now);
            }
            case Verdict.Joins j -> join(hb, now);
            case Verdict.Confirms c -> {
                membership.confirm(c.member(), hb.incarnation());
                incarnationsChanged = true;
                audit.record(now, generations.current(), AuditType.CONFIRMED, c.member().id(), -1, "recovered replica is alive");
                yield c.member();
            }
            case Verdict.Continues c -> c.member();
        };
        if (hb.generation() < m.appliedGeneration()) {
            counters.staleHeartbeat();
            return commitAndAnswer(m.id(), now);
        }
        if (hb.generation() > generations.current()) {
            audit.record(now, generations.current(), AuditType.GENERATION_RAISED, m.id(), -1, "replica applied generation " + hb.generation()
                    + ", above this coordinator's (which started without a persisted assignment); raising ours above it");
            generations.atLeast(hb.generation());
        }
        if (hb.draining() && !m.draining()) {
            startDraining(m, "replica reports DRAINING", now);
            membershipChanged = true;
        }
        membership.update(m, hb, now);
        if (leases.heard(now, membership)) {
            audit.record(now, generations.current(), AuditType.FLEET_HEARD, m.id(), -1, "first heartbeat after the whole fleet was silent; "
                    + "every replica's lease restarts now");
        }
        for (int i = 0; i < hb.ownedCpus().length; i++) {
            int c = hb.ownedCpus()[i];
            String owner = table.owner(c);
            if (owner == null || owner.equals(m.id()) || !membership.contains(owner)) loads.report(c, hb.rates()[i], hb.lost()[i], now);
        }
        reconciler.onHeartbeat(m, hb, now);
        if (membershipChanged) plan(RebalanceTrigger.MEMBERSHIP, planningMode(now), now);
        reconciler.startHandovers(now);
        return commitAndAnswer(m.id(), now);
    }

    private CoordinatorException.Conflict refuse(String reason, String message, Instant now) {
        counters.refusedHeartbeat(reason);
        refreshStatus(now);
        return new CoordinatorException.Conflict(message);
    }

    private Member join(HeartbeatReport hb, Instant now) {
        Member m = membership.join(hb.replicaId(), hb.incarnation(), now);
        incarnationsChanged = true;
        audit.record(now, generations.current(), AuditType.JOINED, m.id(), -1, "joined with " + describe(hb.owned()) + " registered");
        return m;
    }

    /** The periodic step: leases, timeouts, coverage, the rebalancing policy, handover starts, scaling advice. */
    public void tick() {
        requireNotDiscarded();
        Instant now = clock.instant();
        creditStall(now);
        boolean membershipChanged = false;
        boolean wasSilent = leases.fleetSilent();
        List<Member> expired = leases.expired(now, membership);
        if (!wasSilent && leases.fleetSilent()) {
            audit.record(now, generations.current(), AuditType.FLEET_SILENT, null, -1, "no replica has heartbeated for "
                    + settings.lease().toMillis() + " ms: all of them keep their CPUs for one more lease (a stalled machine or "
                    + "network, rather than every replica dead at once)");
        }
        for (Member m : expired) {
            audit.record(now, generations.current(), AuditType.EXPIRED, m.id(), -1, "no heartbeat for " + settings.lease().toMillis()
                    + " ms; its CPUs are reassigned now");
            removeMember(m.id(), false, now);
            membershipChanged = true;
        }
        reconciler.checkTimeouts(now);
        Set<String> overflowing = membership.overflowing(now, settings.policy().overflowSustain(), settings.policy().cooldown());
        if (membershipChanged || needsCoverage()) {
            plan(RebalanceTrigger.MEMBERSHIP, planningMode(now), now);
        } else if (fullPlanPending && loadsWarm(now)) {
            plan(RebalanceTrigger.MEMBERSHIP, PlanningMode.FULL, now);
        } else if (loadsWarm(now)) {
            FleetObservation o = observe(overflowing);
            Optional<RebalanceTrigger> trigger = policy.evaluate(o, now);
            if (trigger.isPresent()) {
                if (trigger.get() == RebalanceTrigger.OVERFLOW) {
                    for (String id : overflowing) membership.capCapacity(membership.get(id), fleetLoad.replicaLoad(id), now);
                }
                boolean applied = planIfItHelps(trigger.get(), now);
                policy.loadRebalanceDone(now, applied && trigger.get() == RebalanceTrigger.OVERFLOW);
            }
        }
        reconciler.startHandovers(now);
        scaling.recommend(fleetLoad.activeReplicas(), fleetLoad.cpuLoads(), fleetLoad.activeCapacities(), settings.planner().headroom(), now);
        commit(now);
    }

    /** Time in which the coordinator itself did not run does not count against any lease. */
    private void creditStall(Instant now) {
        java.time.Duration stall = leases.observe(now, membership);
        if (!stall.isZero()) {
            audit.record(now, generations.current(), AuditType.STALLED, null, -1, "the coordinator did not run for " + stall.toMillis()
                    + " ms (a starved machine?); every lease is extended by that much");
        }
    }

    /** Pins {@code cpulist} to the replica: it will own exactly those CPUs, moved to it make before break. */
    public RebalanceResult setMask(String id, String cpulist) {
        return setMask(id, Validation.possibleSubset(cpulist, table.possible()));
    }

    /** {@link #setMask(String, String)} with the cpulist parsed already ({@link Validation#possibleSubset}, outside the lock). */
    public RebalanceResult setMask(String id, CpuSet cpus) {
        requireNotDiscarded();
        Instant now = clock.instant();
        if (cpus.isEmpty() || !cpus.minus(table.possible()).isEmpty()) {
            throw new CoordinatorException.InvalidRequest("cpus must be a non-empty set of possible CPUs");
        }
        Member m = requireMember(id);
        if (m.draining()) throw new CoordinatorException.Conflict("replica '" + id + "' is draining; it cannot take CPUs");
        for (Map.Entry<String, CpuSet> e : new ArrayList<>(pins.entrySet())) {
            CpuSet rest = e.getValue().minus(cpus);
            if (rest.isEmpty()) pins.remove(e.getKey());
            else pins.put(e.getKey(), rest);
        }
        pins.put(id, cpus);
        audit.record(now, generations.current(), AuditType.MASK_SET, id, -1, "pinned " + describe(cpus));
        return applyAdmin(now);
    }

    /** Removes the replica's pin; its CPUs become plannable again. */
    public RebalanceResult clearMask(String id) {
        requireNotDiscarded();
        Instant now = clock.instant();
        requireMember(id);
        if (pins.remove(id) != null) audit.record(now, generations.current(), AuditType.MASK_CLEARED, id, -1, "pin removed");
        return applyAdmin(now);
    }

    /** Drains a replica: its CPUs move away make before break, then its target is empty. */
    public RebalanceResult drain(String id) {
        requireNotDiscarded();
        Instant now = clock.instant();
        Member m = requireMember(id);
        if (!m.draining()) startDraining(m, "admin drain", now);
        return applyAdmin(now);
    }

    /** Plans now with full planning; a dry run returns the plan and its moves and changes nothing. */
    public RebalanceResult rebalance(boolean dryRun) {
        requireNotDiscarded();
        Instant now = clock.instant();
        if (dryRun) {
            TargetAssignment plan = assignor.assign(planningInput(PlanningMode.FULL));
            return Plans.result(plan, false, RebalanceTrigger.ADMIN, PlanningMode.FULL, assignor.name(), generations.current(), fleetLoad.imbalance(), fleetLoad.floor());
        }
        RebalanceResult result = plan(RebalanceTrigger.ADMIN, PlanningMode.FULL, now);
        reconciler.startHandovers(now);
        commit(now);
        return Plans.withGeneration(result, generations.current());
    }

    private RebalanceResult applyAdmin(Instant now) {
        RebalanceResult result = plan(RebalanceTrigger.ADMIN, planningMode(now), now);
        reconciler.startHandovers(now);
        commit(now);
        return Plans.withGeneration(result, generations.current());
    }

    // ------------------------------------------------------------------------------------------ reads

    public AssignmentView assignment() {
        return Views.assignment(table, membership, reconciler, pins, generations.current(), assignor.name());
    }

    public List<ReplicaView> replicas() {
        return Views.replicas(table, membership, pins, loads);
    }

    public ReplicaView replica(String id) {
        requireMember(id);
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
        return last != null ? last : scaling.recommend(fleetLoad.activeReplicas(), fleetLoad.cpuLoads(), fleetLoad.activeCapacities(), settings.planner().headroom(), clock.instant());
    }

    public List<AuditEvent> audit(int limit) {
        return audit.recent(limit);
    }

    public CoordinatorStatus status() {
        return status;
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

    // ------------------------------------------------------------------------------------------ internals

    private RebalanceResult plan(RebalanceTrigger trigger, PlanningMode mode, Instant now) {
        double before = fleetLoad.imbalance();
        double floor = fleetLoad.floor();
        TargetAssignment plan = assignor.assign(planningInput(mode, trigger == RebalanceTrigger.OVERFLOW));
        if (mode == PlanningMode.FULL) fullPlanPending = false;
        Map<String, CpuSet> previousTargets = table.targetMasks();
        reconciler.applyPlan(plan);
        lastPlan = plan;
        boolean changed = !previousTargets.equals(table.targetMasks());
        if (changed || trigger != RebalanceTrigger.MEMBERSHIP) {
            counters.rebalance(trigger, plan.moves().size());
            audit.record(now, generations.current(), AuditType.PLAN, null, -1, trigger.label() + " plan (" + mode.name().toLowerCase()
                    + "): " + plan.moves().size() + " CPUs to move, imbalance " + round(before) + " -> " + round(plan.imbalanceRatio())
                    + " (floor " + round(floor) + ")" + (plan.hotCpus().isEmpty() ? "" : ", hot CPUs " + describe(plan.hotCpus()))
                    + (plan.overCapacity().isEmpty() ? "" : ", over capacity: " + plan.overCapacity()));
        }
        return Plans.result(plan, true, trigger, mode, assignor.name(), generations.current(), before, floor);
    }

    /**
     * A load-driven plan is applied only if it clearly improves what triggered it: the total overload above the
     * headroom limits drops by at least 10 % (overflow, capacity), or the imbalance by at least 2 % (imbalance).
     * Otherwise moving CPUs cannot help (the fleet is too small, or the load is at its floor): nothing moves, the
     * skip is audited, and the scaling recommendation is the remedy. This keeps an overloaded fleet from shuffling
     * CPUs back and forth as overflow caps come and go.
     */
    /** Returns whether the plan was applied. */
    private boolean planIfItHelps(RebalanceTrigger trigger, Instant now) {
        PlanningInput input = planningInput(PlanningMode.FULL, trigger == RebalanceTrigger.OVERFLOW);
        TargetAssignment plan = assignor.assign(input);
        boolean helps;
        String measure;
        if (trigger == RebalanceTrigger.IMBALANCE) {
            double before = LoadStats.imbalance(input.current(), input), after = LoadStats.imbalance(plan.masks(), input);
            helps = after < before / 1.02;
            measure = "imbalance " + round(before) + " -> " + round(after);
        } else {
            double before = LoadStats.excess(input.current(), input), after = LoadStats.excess(plan.masks(), input);
            helps = before > 0 && after < before * 0.9;
            measure = "load above the headroom limits " + round(before) + " -> " + round(after) + " exits/s";
        }
        if (plan.moves().isEmpty() || !helps) {
            counters.skippedRebalance();
            audit.record(now, generations.current(), AuditType.REBALANCE_SKIPPED, null, -1, trigger.label() + " rebalance skipped: "
                    + (plan.moves().isEmpty() ? "the plan moves nothing" : "the plan would not help enough (" + measure + ")")
                    + "; desired replicas " + scaling().desiredReplicas()
                    + (plan.hotCpus().isEmpty() ? "" : ", hot CPUs " + describe(plan.hotCpus())));
            return false;
        }
        plan(trigger, PlanningMode.FULL, now);
        return true;
    }

    private PlanningInput planningInput(PlanningMode mode) {
        return planningInput(mode, false);
    }

    /** {@code overflow}: an overflow plan, which counts every CPU with at least its latest rate ({@link LoadTracker#currentLoads}). */
    private PlanningInput planningInput(PlanningMode mode, boolean overflow) {
        List<ReplicaSlot> slots = new ArrayList<>();
        for (Member m : membership.all()) slots.add(new ReplicaSlot(m.id(), m.planningCapacity(), m.draining()));
        Map<String, CpuSet> livePins = new TreeMap<>();
        pins.forEach((id, cpus) -> {
            if (membership.contains(id)) livePins.put(id, cpus);
        });
        return new PlanningInput(table.possible(), slots, table.headingMasks(), overflow ? loads.currentLoads() : loads.loads(), livePins,
                settings.planner(), mode);
    }

    private PlanningMode planningMode(Instant now) {
        return loadsWarm(now) ? PlanningMode.FULL : PlanningMode.COVERAGE_ONLY;
    }

    private boolean loadsWarm(Instant now) {
        return !now.isBefore(startedAt.plus(settings.policy().loadWarmup()));
    }

    /** A CPU without a live owner whose target is not a live, non-draining member: the plan must give it one. */
    private boolean needsCoverage() {
        CpuSet possible = table.possible();
        for (int c = possible.nextCpu(0); c >= 0; c = possible.nextCpu(c + 1)) {
            String owner = table.owner(c);
            if (owner != null && membership.contains(owner)) continue;
            String target = table.target(c);
            Member t = target == null ? null : membership.get(target);
            if (t == null || t.draining()) return !membership.all().isEmpty();
        }
        return false;
    }

    private void startDraining(Member m, String reason, Instant now) {
        membership.drain(m);
        pins.remove(m.id());
        audit.record(now, generations.current(), AuditType.DRAINING, m.id(), -1, reason + ": moving its CPUs away");
    }

    private void removeMember(String id, boolean rejoining, Instant now) {
        membership.remove(id);
        if (!rejoining) pins.remove(id);
        reconciler.onMemberGone(id, rejoining, now);
    }

    private Member requireMember(String id) {
        Member m = id == null ? null : membership.get(id);
        if (m == null) throw new CoordinatorException.UnknownReplica(id);
        return m;
    }

    private ReplicaDirective commitAndAnswer(String id, Instant now) {
        commit(now);
        return directiveFor(id);
    }

    /**
     * Ends an operation: when it changed a directive, the assignment is persisted before anything is answered. When
     * the store does not take it, the operation fails with {@link StateNotPersistedException}: this instance's state
     * is then ahead of the store and must not answer anything any more ({@link #recover}).
     */
    /**
     * Persists who the members are when nothing else changed (a replica joined or was confirmed without a new
     * generation). Best effort: no directive depends on it, so a store that refuses it fails nothing; it is tried
     * again at the next commit, and a refusal that matters (a successor's write) surfaces with the next generation.
     */
    private void persistIncarnations() {
        try {
            store.save(SnapshotCodec.snapshot(generations.current(), table, membership, pins, loads));
            incarnationsChanged = false;
        } catch (RuntimeException e) {
            // kept: tried again at the next commit
        }
    }

    private void commit(Instant now) {
        if (!generations.commit()) {
            if (incarnationsChanged) persistIncarnations();
            refreshStatus(now);
            return;
        }
        incarnationsChanged = false;
        try {
            store.save(SnapshotCodec.snapshot(generations.current(), table, membership, pins, loads));
        } catch (RuntimeException e) {
            counters.persistFailure();
            audit.record(now, generations.current(), AuditType.PERSIST_FAILED, null, -1, "could not persist generation "
                    + generations.current() + ": " + e.getMessage() + "; nothing of it is handed out, the assignment is "
                    + "recovered from the store");
            discarded = true;
            refreshStatus(now);
            throw new StateNotPersistedException(generations.current(), e);
        }
        refreshStatus(now);
    }

    /** Whether a failed persist left this instance ahead of the store: it refuses every operation. */
    public boolean discarded() {
        return discarded;
    }

    private void requireNotDiscarded() {
        if (discarded) throw new IllegalStateException("this coordinator's state was not persisted; recover a new one from the store");
    }

    private void refreshStatus(Instant now) {
        Map<String, Integer> byState = new TreeMap<>();
        for (MemberState s : MemberState.values()) byState.put(s.name().toLowerCase(), 0);
        byState.put("presumed", 0);
        for (Member m : membership.all()) {
            byState.merge(m.presumed() ? "presumed" : m.state().name().toLowerCase(), 1, Integer::sum);
        }
        int waiting = 0, total = 0;
        for (var h : table.handovers()) {
            total++;
            if (reconciler.waitingForTraffic(h)) waiting++;
        }
        ScalingRecommendation rec = scaling.last();
        status = new CoordinatorStatus(generations.current(), uncovered().size(), byState, total - waiting, waiting,
                reconciler.pendingMoves(), fleetLoad.imbalance(), fleetLoad.floor(), rec == null ? fleetLoad.activeReplicas() : rec.desiredReplicas(),
                fleetLoad.hotCpus().size(), counters.rebalances(), counters.cpusMoved(), counters.handoversCompleted(),
                counters.rollbacks(), counters.staleHeartbeats(), counters.strayFences(), counters.stuckReleases(),
                counters.persistFailures(), counters.refusedHeartbeats());
    }

    /** Possible CPUs that no live replica reports being registered on. */
    public CpuSet uncovered() {
        CpuSet covered = CpuSet.EMPTY;
        for (Member m : membership.all()) covered = covered.union(m.owned());
        return table.possible().minus(covered);
    }

    private FleetObservation observe(Set<String> overflowing) {
        return new FleetObservation(fleetLoad.imbalance(), fleetLoad.floor(), overflowing, fleetLoad.overHeadroom(), reconciler.inFlight() > 0);
    }

    private static String describe(CpuSet cpus) {
        String s = cpus.toCpulist();
        return cpus.isEmpty() ? "no CPUs" : "CPUs " + (s.length() > 80 ? s.substring(0, 77) + "..." : s);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Records an event of an adapter (e.g. a scaling action) in the audit log. */
    public void note(AuditType type, String message) {
        audit.record(clock.instant(), generations.current(), type, null, -1, message);
    }

    /** The last plan made (null before the first). */
    public TargetAssignment lastPlan() {
        return lastPlan;
    }
}
