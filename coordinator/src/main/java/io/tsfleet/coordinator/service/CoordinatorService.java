package io.tsfleet.coordinator.service;

import io.tsfleet.coordinator.domain.FleetEvent;
import io.tsfleet.coordinator.domain.Coordinator;
import io.tsfleet.coordinator.domain.CoordinatorException;
import io.tsfleet.coordinator.domain.StateNotPersistedException;
import io.tsfleet.coordinator.domain.Validation;
import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.counter.FleetCounts;
import io.tsfleet.coordinator.domain.fleet.AnnouncedNode;
import io.tsfleet.coordinator.domain.fleet.HeartbeatReport;
import io.tsfleet.coordinator.domain.fleet.NodeSettings;
import io.tsfleet.coordinator.domain.view.RebalanceResult;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.protocol.fleet.NodeLease;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import io.tsfleet.coordinator.domain.CoordinatorSettings;
import io.tsfleet.planner.CpuAssignor;
import io.tsfleet.coordinator.domain.state.AssignmentStore;
import io.tsfleet.coordinator.domain.view.CoordinatorStatus;
import io.tsfleet.coordinator.kubernetes.Leadership;
import io.tsfleet.coordinator.kubernetes.ReplicaScaler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The thin adapter around the domain {@link Coordinator}: one lock for every operation, a coordinator instance
 * only while this process leads (recovered from the store each time it starts leading), the periodic tick, the
 * optional application of the scaling recommendation, and the numbers for the metrics (counters kept cumulative
 * across leadership changes).
 */
public class CoordinatorService implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorService.class);

    private final CoordinatorSettings settings;
    private final NodeSettings nodeSettings;
    private final CpuAssignor assignor;
    private final AssignmentStore store;
    private final Clock clock;
    private final Leadership leadership;
    private final Optional<ReplicaScaler> scaler;
    private final Duration scaleInterval;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile Coordinator coordinator;
    /** Between the leadership's start and stop callbacks (the coordinator may be missing while the store is unreadable). */
    private volatile boolean leading;
    private final AtomicLong lockHold = new AtomicLong();
    private final LongAdder invalidHeartbeats = new LongAdder();
    private final LongAdder invalidAnnouncements = new LongAdder();
    /** Nodes registered with the current (or the last) leading coordinator, taken after every operation. */
    private volatile int liveNodes;
    private volatile CoordinatorStatus status;
    private volatile boolean running;
    /**
     * The counters of the leadership terms that ended (and of failed operations' discarded coordinators), and those of
     * the current term's coordinator, taken after every operation: one volatile value, so that a
     * scrape never sees a term counted twice or not at all while it ends.
     */
    private volatile Totals totals = new Totals(FleetCounts.ZERO, FleetCounts.ZERO);

    private record Totals(FleetCounts endedTerms, FleetCounts currentTerm) {
    }
    private Instant lastScaleAttempt = Instant.EPOCH;

    public CoordinatorService(CoordinatorSettings settings, CpuAssignor assignor, AssignmentStore store, Clock clock,
                              Leadership leadership, Optional<ReplicaScaler> scaler, Duration scaleInterval) {
        this(settings, NodeSettings.DEFAULTS, assignor, store, clock, leadership, scaler, scaleInterval);
    }

    public CoordinatorService(CoordinatorSettings settings, NodeSettings nodeSettings, CpuAssignor assignor, AssignmentStore store, Clock clock,
                              Leadership leadership, Optional<ReplicaScaler> scaler, Duration scaleInterval) {
        this.settings = settings;
        this.nodeSettings = nodeSettings;
        this.assignor = assignor;
        this.store = store;
        this.clock = clock;
        this.leadership = leadership;
        this.scaler = scaler;
        this.scaleInterval = scaleInterval;
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void start() {
        log.info("coordinator for {} persisting to {}; leadership: {}", settings.staticFleet()
                ? "the CPUs " + settings.possibleCpus() + " of one node (" + settings.staticNode() + ")"
                : "the CPUs of the nodes that announce themselves", store, leadership.describe());
        running = true;
        leadership.start(this::startLeading, this::stopLeading);
    }

    @Override
    public void stop() {
        running = false;
        leadership.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void startLeading() {
        lock.lock();
        try {
            leading = true;
            recoverFromStore(null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes a coordinator from the persisted assignment ({@code failed}: the one whose state the store did not take,
     * whose audit log continues). When the store cannot be read, there is no coordinator (every call is answered 503)
     * and the next tick tries again. Under the lock.
     */
    private void recoverFromStore(Coordinator failed) {
        coordinator = null;
        try {
            Coordinator c = failed == null ? new Coordinator(settings, nodeSettings, assignor, store, clock) : Coordinator.recover(failed);
            coordinator = c;
            liveNodes = c.nodeCount();
            status = c.status();
            totals = new Totals(totals.endedTerms(), c.counts());
            log.info("leading: recovered generation {}", c.generation());
        } catch (RuntimeException e) {
            log.error("leading, but cannot recover the assignment from {} (retrying every tick): {}", store, e.getMessage());
        }
    }

    private void stopLeading() {
        lock.lock();
        try {
            leading = false;
            Coordinator c = coordinator;
            if (c != null) {
                status = c.status();
                accumulate(c);
            }
            coordinator = null;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ operations

    /**
     * A replica's heartbeat: validated and parsed outside the lock (a large body costs its own request time, never
     * another replica's), then applied under it.
     */
    public ReplicaDirective heartbeat(String pathId, ReplicaHeartbeat raw) {
        HeartbeatReport report;
        try {
            report = Coordinator.parseHeartbeat(pathId, raw, call(Coordinator::slotSpace));
        } catch (CoordinatorException.InvalidRequest e) {
            invalidHeartbeats.increment();
            throw e;
        }
        return call(c -> c.heartbeat(report));
    }

    /** A node agent's announcement: validated and parsed outside the lock, then applied under it. */
    public NodeLease announce(String pathName, NodeAnnouncement raw) {
        AnnouncedNode node;
        try {
            node = Coordinator.parseAnnouncement(pathName, raw);
        } catch (CoordinatorException.InvalidRequest e) {
            invalidAnnouncements.increment();
            throw e;
        }
        return call(c -> c.announce(node));
    }

    /** A node agent withdraws its node; a name that is no node name is refused (400) and counted. */
    public void withdrawNode(String name) {
        if (!Coordinator.isNodeName(name)) {
            invalidAnnouncements.increment();
            throw new CoordinatorException.InvalidRequest("'" + (name.length() > 80 ? name.substring(0, 77) + "..." : name)
                    + "' is not a node name (a DNS subdomain: lower-case letters, digits, '-' and '.', at most 253 characters)");
        }
        call(c -> c.withdrawNode(name));
    }

    /** Pins CPUs of a node to a replica; the cpulist is parsed outside the lock. */
    public RebalanceResult setMask(String id, String node, String cpulist) {
        Validation.NodeSlots slots = Validation.nodeSlots(node, cpulist, call(Coordinator::slotSpace));
        return call(c -> c.setMask(id, slots));
    }

    /**
     * Runs {@code op} on the leading coordinator under the lock. When the operation's state could not be persisted,
     * the coordinator is replaced by one recovered from the store (the operation's changes are gone with it, nothing
     * of them was answered) and the caller gets the {@link StateNotPersistedException} (503); when someone else wrote
     * the store, this instance also gives up its leadership and stands for election again.
     */
    public <T> T call(Function<Coordinator, T> op) {
        boolean conflict = false;
        lock.lock();
        long lockedAt = System.nanoTime();
        try {
            Coordinator c = coordinator;
            if (c == null) {
                throw new NotLeaderException("this coordinator instance is not the leader (" + leadership.describe() + ")"
                        + (leading ? "; it leads but could not recover the assignment from " + store + " yet" : ""));
            }
            try {
                return op.apply(c);
            } catch (StateNotPersistedException e) {
                conflict = e.conflict();
                accumulate(c);
                if (conflict) {
                    log.warn("{}: another coordinator wrote {}; standing down", e.getMessage(), store);
                    coordinator = null;
                    leading = false;
                } else {
                    log.warn("{}", e.getMessage());
                    recoverFromStore(c);
                }
                throw e;
            } finally {
                if (coordinator == c) {
                    liveNodes = c.nodeCount();
                    totals = new Totals(totals.endedTerms(), c.counts());
                }
            }
        } finally {
            lockHold.accumulateAndGet(System.nanoTime() - lockedAt, Math::max);
            lock.unlock();
            if (conflict && !leadership.relinquish()) {
                // no one to give way to: go on from what the store holds now
                lock.lock();
                try {
                    if (coordinator == null && !leading) {
                        leading = true;
                        recoverFromStore(null);
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** The longest time an operation held the lock since the last call of this method (nanoseconds); resets it. */
    public long takeLongestLockHoldNanos() {
        return lockHold.getAndSet(0);
    }

    /** Nodes registered with this process's coordinator while it leads; 0 while it does not. */
    public int liveNodes() {
        return isLeader() ? liveNodes : 0;
    }

    /** Heartbeats refused as invalid (400) before they reached the domain. */
    public long invalidHeartbeats() {
        return invalidHeartbeats.sum();
    }

    /** Leases, timeouts, the policy and handover starts; run every {@code tsfleet.coordinator.tick-interval}. */
    public void tick() {
        if (coordinator == null && leading) {
            lock.lock();
            try {
                if (coordinator == null && leading) recoverFromStore(null);
            } finally {
                lock.unlock();
            }
        }
        if (coordinator == null) return;
        try {
            call(c -> {
                c.tick();
                return null;
            });
            applyScaling();
        } catch (NotLeaderException ignored) {
            // lost leadership between the check and the call
        } catch (StateNotPersistedException e) {
            log.warn("coordinator tick not persisted: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("coordinator tick failed", e);
        }
    }

    private void applyScaling() {
        if (scaler.isEmpty()) return;
        Instant now = clock.instant();
        if (now.isBefore(lastScaleAttempt.plus(scaleInterval))) return;
        lastScaleAttempt = now;
        int desired = status().desiredReplicas();
        try {
            OptionalInt current = scaler.get().currentReplicas();
            if (current.isPresent() && current.getAsInt() != desired) {
                scaler.get().scale(desired);
                log.info("scaled {} from {} to {} replicas", scaler.get().describe(), current.getAsInt(), desired);
                call(c -> {
                    c.note(new FleetEvent.Scaled(scaler.get().describe(), current.getAsInt(), desired));
                    return null;
                });
            }
        } catch (RuntimeException e) {
            log.warn("could not scale {}: {}", scaler.get().describe(), e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------ metrics

    public boolean isLeader() {
        return coordinator != null && leadership.isLeader();
    }

    /**
     * The latest status (possibly of a previous leadership term), or null before the first one. Taken from the leading
     * coordinator when the lock is free (the domain takes it lazily: after every operation would cost a scan of every
     * slot per heartbeat); while an operation holds the lock, the one taken last, which never waits for it.
     */
    public CoordinatorStatus status() {
        if (lock.tryLock()) {
            try {
                Coordinator c = coordinator;
                if (c != null) status = c.status();
            } finally {
                lock.unlock();
            }
        }
        return status;
    }

    /**
     * The counters, cumulative across the leadership terms of this process (the current term's only while it leads):
     * every term starts a new {@code Coordinator} whose counters start at zero, while the exported counters must never
     * go down. Heartbeats refused as invalid are counted here, before they reach a coordinator.
     */
    public FleetCounts counters() {
        Totals t = totals;
        FleetCounts counts = isLeader() ? t.endedTerms().plus(t.currentTerm()) : t.endedTerms();
        return counts.plus(FleetCounter.HEARTBEATS_REFUSED_INVALID, invalidHeartbeats.sum())
                .plus(FleetCounter.NODE_ANNOUNCEMENTS_REFUSED_INVALID, invalidAnnouncements.sum());
    }

    /** Called under the lock when a term's coordinator is dropped. */
    private void accumulate(Coordinator c) {
        totals = new Totals(totals.endedTerms().plus(c.counts()), FleetCounts.ZERO);
    }

    public CoordinatorSettings settings() {
        return settings;
    }
}
