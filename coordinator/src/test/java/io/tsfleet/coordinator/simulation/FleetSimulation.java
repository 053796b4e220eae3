package io.tsfleet.coordinator.simulation;

import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.protocol.testing.ManualClock;
import io.tsfleet.coordinator.domain.Coordinator;
import io.tsfleet.coordinator.domain.CoordinatorSettings;
import io.tsfleet.coordinator.domain.fleet.ReconcilerSettings;
import io.tsfleet.planner.PlannerSettings;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.coordinator.domain.policy.PolicySettings;
import io.tsfleet.coordinator.domain.policy.ScalingSettings;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.HandoverView;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;

/**
 * A deterministic simulation of the fleet: one seeded random source, a single-threaded event queue over a fake
 * clock, an emulated kernel (per-CPU u32 sequence counters, unicast of every exit to every registered replica),
 * replicas that follow the directive contract ({@link SimReplica}), a lossy, reordering network between replicas
 * and the coordinator, and random events. Invariants are checked after every event.
 */
final class FleetSimulation {
    static final int TICK_MS = 50;
    static final long HEARTBEAT_MS = 1000, LEASE_MS = 5000, STARTUP_MS = 5000;
    static final int MAX_QUIET_MOVES = 2;

    record Faults(double heartbeatDrop, double responseDrop, int maxDelayMs, double crashWeight, double coordinatorRestartWeight) {
        static final Faults NONE = new Faults(0, 0, 0, 0, 0);
        static final Faults SOME = new Faults(0.05, 0.05, 1500, 1, 0.5);

        boolean crashes() {
            return crashWeight > 0;
        }
    }

    private record Event(long time, long seq, Runnable action) {
    }

    final Random rnd;
    final Faults faults;
    final ManualClock clock;
    final CpuSet possible;
    final double[] rate;
    final long[] seq;
    final Ledger ledger;
    final InMemoryAssignmentStore store = new InMemoryAssignmentStore();
    final CoordinatorSettings settings;
    Coordinator coordinator;
    boolean coordinatorUp = true;
    final Map<String, SimReplica> replicas = new TreeMap<>();   // live processes (and crashed ones until reaped)
    final List<SimReplica> allReplicas = new ArrayList<>();
    final List<Long> crashTimes = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final Instant epoch = Instant.parse("2030-01-01T00:00:00Z");
    private long eventSeq;
    private long now;
    private int nextReplicaId;
    private long lastGeneration;
    private final double capacity = 900;
    long quietFromMillis = Long.MAX_VALUE;
    long movesAtQuiet = -1;
    final Map<String, Integer> eventCounts = new TreeMap<>();

    FleetSimulation(long seed, Faults faults) {
        this.rnd = new Random(seed);
        this.faults = faults;
        this.clock = new ManualClock(epoch);
        CpuSet.Builder b = CpuSet.builder();
        for (int c = 0; c < 40; c++) if (c != 13 && c != 27) b.add(c);
        this.possible = b.build();
        int n = possible.length();
        this.rate = new double[n];
        this.seq = new long[n];
        for (int c = 0; c < n; c++) {
            rate[c] = possible.contains(c) ? 5 + rnd.nextInt(30) : 0;
            // Some CPUs start just below the u32 wrap, so fences are compared in serial-number order.
            seq[c] = rnd.nextInt(4) == 0 ? 0xFFFF_FFFFL - rnd.nextInt(500) : rnd.nextInt(1_000_000);
        }
        this.ledger = new Ledger(seq);
        this.settings = new CoordinatorSettings(possible, Duration.ofMillis(HEARTBEAT_MS), Duration.ofMillis(LEASE_MS), Duration.ofSeconds(5),
                new PlannerSettings(0.7, 1.05, 1.0),
                new PolicySettings(1.10, Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(20), Duration.ofSeconds(5)),
                new ReconcilerSettings(Duration.ofSeconds(8), Duration.ofSeconds(5), 6), new ScalingSettings(1, 16, 0.1, Duration.ofSeconds(60)), 500);
        this.coordinator = new Coordinator(settings, new StickyBalancedAssignor(), store, clock);
    }

    // ----------------------------------------------------------------------------------------- scheduling

    private void at(long time, Runnable action) {
        queue.add(new Event(time, eventSeq++, action));
    }

    void run(long durationMillis, long quietMillis) {
        quietFromMillis = durationMillis;
        for (int i = 0; i < 3; i++) startReplica(0);
        at(0, this::kernelTick);
        at(0, this::coordinatorTick);
        at(10_000 + rnd.nextInt(5000), () -> randomEvent(durationMillis));
        at(durationMillis + quietMillis / 2, () -> movesAtQuiet = coordinatorUp ? coordinator.status().cpusMoved() : -1);
        long end = durationMillis + quietMillis;
        while (!queue.isEmpty() && queue.peek().time <= end) {
            Event e = queue.poll();
            now = e.time;
            clock.set(epoch.plusMillis(now));
            e.action.run();
            checkInvariants();
        }
        finalChecks();
    }

    // ----------------------------------------------------------------------------------------- actors

    private void kernelTick() {
        for (SimReplica r : replicas.values()) {
            if (r.alive) {
                r.refill(TICK_MS / 1000.0);
                r.forceStaleReleases((int) now);
            }
        }
        // CPUs in a random order each tick, so that an overflowing replica does not always starve the same CPUs
        int[] cpus = possible.toArray();
        for (int i = cpus.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = cpus[i];
            cpus[i] = cpus[j];
            cpus[j] = t;
        }
        for (int c : cpus) {
            double expected = rate[c] * TICK_MS / 1000.0;
            int n = (int) expected + (rnd.nextDouble() < expected - (int) expected ? 1 : 0);
            for (int k = 0; k < n; k++) {
                long s = seq[c];
                seq[c] = Serial.next(s);
                boolean covered = false;
                for (SimReplica r : replicas.values()) covered |= r.registeredOn(c);
                ledger.emitted(c, s, (int) now, covered);
                for (SimReplica r : replicas.values()) if (r.alive) r.receive(c, s, (int) now);
            }
        }
        at(now + TICK_MS, this::kernelTick);
    }

    private void coordinatorTick() {
        if (coordinatorUp) coordinator.tick();
        at(now + 1000, this::coordinatorTick);
    }

    private SimReplica startReplica(int delayMs) {
        String id = String.format("listener-%02d", nextReplicaId++);
        return startProcess(id, delayMs);
    }

    private SimReplica startProcess(String id, int delayMs) {
        SimReplica r = new SimReplica(id, Long.toHexString(rnd.nextLong()), ledger, capacity, LEASE_MS, now);
        replicas.put(id, r);
        allReplicas.add(r);
        at(now + delayMs, () -> heartbeatLoop(r));
        return r;
    }

    private void heartbeatLoop(SimReplica r) {
        if (!r.alive || replicas.get(r.id) != r) return;
        if (r.drainedOut() || (r.draining && now - r.drainingSinceMillis > 60_000)) {
            // A drained replica exits; one that could not drain in time is killed (a crash).
            if (!r.drainedOut()) crash(r, "drain grace period exceeded");
            else r.alive = false;
            replicas.remove(r.id);
            return;
        }
        ReplicaHeartbeat hb = r.heartbeat((int) now);
        int delay = delay();
        if (rnd.nextDouble() >= faults.heartbeatDrop()) at(now + delay, () -> deliverHeartbeat(r, hb));
        at(now + HEARTBEAT_MS + rnd.nextInt(100), () -> heartbeatLoop(r));
    }

    private void deliverHeartbeat(SimReplica r, ReplicaHeartbeat hb) {
        if (!coordinatorUp) return;
        ReplicaDirective d;
        try {
            d = coordinator.heartbeat(r.id, hb);
        } catch (io.tsfleet.coordinator.domain.CoordinatorException.Conflict e) {
            // a late heartbeat of a process that has been replaced by a restart: refused, as it must be; and a
            // restarted process is refused until its predecessor's lease has run out (it keeps heartbeating)
            boolean waitsForPredecessor = e.getMessage().contains("a new incarnation is accepted once that lease expires");
            if (r.alive && !waitsForPredecessor) violations.add(now + " ms: heartbeat of live " + r.id + " refused: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            violations.add(now + " ms: heartbeat of " + r.id + " refused: " + e);
            return;
        }
        String content = d.target(Heartbeats.NODE).targetCpus() + " " + new TreeMap<>(d.target(Heartbeats.NODE).releaseFences());
        String earlier = r.directivesSeen.putIfAbsent(d.generation(), content);
        if (earlier != null && !earlier.equals(content)) {
            violations.add(now + " ms: two different directives for " + r.id + " under generation " + d.generation() + ": " + earlier + " vs " + content);
        }
        if (rnd.nextDouble() >= faults.responseDrop()) {
            int delay = delay();
            at(now + delay, () -> r.apply(d, (int) now));
        }
    }

    private int delay() {
        if (faults.maxDelayMs() == 0) return 1;
        // mostly short, sometimes long enough to arrive after a newer message (a stale message)
        return rnd.nextInt(10) == 0 ? rnd.nextInt(faults.maxDelayMs()) : 1 + rnd.nextInt(50);
    }

    private void crash(SimReplica r, String why) {
        r.crash();
        crashTimes.add(now);
        eventCounts.merge("crash", 1, Integer::sum);
    }

    // ----------------------------------------------------------------------------------------- random events

    private void randomEvent(long until) {
        if (now >= until) {
            // constant load from here on: the quiet phase
            return;
        }
        List<SimReplica> live = replicas.values().stream().filter(r -> r.alive && !r.draining).toList();
        double[] weights = {3, 1.5, 2, faults.crashWeight(), faults.crashWeight() * 0.7, 1, 1, faults.coordinatorRestartWeight(), 0.7};
        double total = 0;
        for (double w : weights) total += w;
        double pick = rnd.nextDouble() * total;
        int kind = 0;
        while (pick >= weights[kind]) pick -= weights[kind++];
        String name = switch (kind) {
            case 0 -> loadShift();
            case 1 -> hotSpot();
            case 2 -> live.size() < 7 ? join() : "skip";
            case 3 -> live.size() > 2 ? crashOne(live) : "skip";
            case 4 -> live.size() > 2 ? restartOne(live) : "skip";
            case 5 -> live.size() > 2 ? sigterm(live) : "skip";
            case 6 -> live.size() > 2 ? adminDrain(live) : "skip";
            case 7 -> restartCoordinator();
            case 8 -> adminPin(live);
            default -> throw new IllegalStateException();
        };
        eventCounts.merge(name, 1, Integer::sum);
        at(now + 8_000 + rnd.nextInt(15_000), () -> randomEvent(until));
    }

    private String loadShift() {
        for (int c = possible.nextCpu(0); c >= 0; c = possible.nextCpu(c + 1)) {
            if (rnd.nextInt(3) == 0) rate[c] = 2 + rnd.nextInt(40);
        }
        return "load-shift";
    }

    private String hotSpot() {
        int[] cpus = possible.toArray();
        int c = cpus[rnd.nextInt(cpus.length)];
        rate[c] = rnd.nextBoolean() ? 700 : 150; // 700 exceeds one replica's headroom limit (0.7 x 900)
        return rate[c] > 630 ? "hot-spot" : "warm-spot";
    }

    private String join() {
        startReplica(rnd.nextInt(500));
        return "join";
    }

    private String crashOne(List<SimReplica> live) {
        SimReplica r = live.get(rnd.nextInt(live.size()));
        crash(r, "random crash");
        replicas.remove(r.id);
        return "crash";
    }

    private String restartOne(List<SimReplica> live) {
        SimReplica r = live.get(rnd.nextInt(live.size()));
        crash(r, "restart");
        replicas.remove(r.id);
        startProcess(r.id, 200 + rnd.nextInt(800));
        return "restart";
    }

    private String sigterm(List<SimReplica> live) {
        SimReplica r = live.get(rnd.nextInt(live.size()));
        r.draining = true;
        r.drainingSinceMillis = now;
        return "sigterm-drain";
    }

    private String adminDrain(List<SimReplica> live) {
        if (!coordinatorUp) return "skip";
        SimReplica r = live.get(rnd.nextInt(live.size()));
        try {
            coordinator.drain(r.id);
        } catch (RuntimeException e) {
            return "skip"; // not yet known to the coordinator
        }
        r.draining = true; // the operator drains it, then the pod is stopped once empty
        r.drainingSinceMillis = now;
        return "admin-drain";
    }

    private String adminPin(List<SimReplica> live) {
        if (!coordinatorUp || live.isEmpty()) return "skip";
        SimReplica r = live.get(rnd.nextInt(live.size()));
        int from = possible.first() + rnd.nextInt(30);
        try {
            coordinator.setMask(r.id, from + "-" + (from + rnd.nextInt(4)));
        } catch (RuntimeException e) {
            return "skip";
        }
        at(now + 20_000, () -> {
            if (coordinatorUp) {
                try {
                    coordinator.clearMask(r.id);
                } catch (RuntimeException ignored) {
                    // the replica is gone by now
                }
            }
        });
        return "admin-pin";
    }

    private String restartCoordinator() {
        if (!coordinatorUp) return "skip";
        coordinatorUp = false;
        at(now + 2_000 + rnd.nextInt(6_000), () -> {
            coordinator = new Coordinator(settings, new StickyBalancedAssignor(), store, clock);
            coordinatorUp = true;
        });
        return "coordinator-restart";
    }

    // ----------------------------------------------------------------------------------------- invariants

    private long detectionWindow() {
        return LEASE_MS + 2 * HEARTBEAT_MS + 2L * Math.max(faults.maxDelayMs(), 100) + 2000;
    }

    private boolean withinCrashWindow(long t) {
        for (long c : crashTimes) if (t >= c && t <= c + detectionWindow()) return true;
        return false;
    }

    /**
     * A new owner that dies during make has kept records since its first sequence number, which its predecessor
     * keeps as well when the CPU returns to it (the coordinator prefers duplicates to loss here): records emitted
     * from a handover's start before the crash up to the end of the detection window.
     */
    private boolean withinCrashRace(long t) {
        long before = 3 * settings.reconciler().handoverTimeout().toMillis();
        for (long c : crashTimes) if (t >= c - before && t <= c + detectionWindow()) return true;
        return false;
    }

    private void checkInvariants() {
        if (coordinatorUp) {
            long g = coordinator.generation();
            if (g < lastGeneration) violations.add(now + " ms: generation went backwards " + lastGeneration + " -> " + g);
            lastGeneration = g;
            long maxAge = 3 * settings.reconciler().handoverTimeout().toMillis() + 2 * LEASE_MS;
            for (HandoverView h : coordinator.assignment().handovers()) {
                long age = clock.instant().toEpochMilli() - h.startedAt().toEpochMilli();
                if (age > maxAge && !h.waitingForTraffic()) {
                    violations.add(now + " ms: handover of CPU " + h.cpu() + " hangs for " + age + " ms in " + h.phase());
                }
            }
        }
        for (SimReplica r : allReplicas) {
            if (r.appliedGeneration() > lastGeneration && coordinatorUp) {
                violations.add(now + " ms: " + r.id + " applied generation " + r.appliedGeneration() + " above the coordinator's " + lastGeneration);
            }
        }
        if (now > STARTUP_MS && !withinCrashWindow(now)) {
            for (int c = possible.nextCpu(0); c >= 0; c = possible.nextCpu(c + 1)) {
                boolean covered = false;
                for (SimReplica r : replicas.values()) covered |= r.registeredOn(c);
                if (!covered) {
                    violations.add(now + " ms: CPU " + c + " is not covered and no crash explains it");
                    return;
                }
            }
        }
    }

    private void finalChecks() {
        // A replica that dies during a make phase has kept records its predecessor keeps too: a crash race,
        // tolerated only within the detection window of a crash.
        for (int i = 0; i < ledger.duplicates.size(); i++) {
            if (!withinCrashRace(ledger.duplicateTimes.get(i))) violations.add(ledger.duplicates.get(i));
            if (violations.size() > 20) break;
        }
        int reported = 0;
        for (int c = 0; c < ledger.cpus(); c++) {
            java.util.Set<Long> pending = new java.util.HashSet<>();
            for (SimReplica r : replicas.values()) if (r.alive) pending.addAll(r.heldOn(c));
            for (int i = 0; i < ledger.emittedCount(c); i++) {
                if (ledger.keptCount(c, i) > 0) continue;
                long s = ledger.seqAt(c, i);
                byte f = ledger.flags(c, i);
                if (pending.contains(s) || (f & (Ledger.OVERFLOW | Ledger.CRASH_HELD)) != 0) continue;
                if (withinCrashWindow(ledger.emittedAt(c, i))) continue;
                if ((f & Ledger.UNCOVERED) != 0 && ledger.emittedAt(c, i) < STARTUP_MS) continue; // before the first replicas registered
                if (reported++ < 20) {
                    violations.add("record CPU " + c + " seq " + s + " emitted at " + ledger.emittedAt(c, i) + " ms was lost"
                            + ((f & Ledger.UNCOVERED) != 0 ? " (uncovered)" : " (delivered, but nobody kept it)"));
                }
            }
        }
        if (coordinatorUp && movesAtQuiet >= 0) {
            // Bounded, not zero: Poisson noise in the measured rates can still push the imbalance over the threshold
            // for a sustain window once in a while; flapping would be many moves.
            long late = coordinator.status().cpusMoved() - movesAtQuiet;
            if (late > MAX_QUIET_MOVES) violations.add("flapping: " + late + " CPUs moved in the second half of the quiet phase under constant load");
        }
        if (coordinatorUp) {
            for (HandoverView h : coordinator.assignment().handovers()) {
                if (!h.waitingForTraffic()) violations.add("handover of CPU " + h.cpu() + " still in " + h.phase() + " at the end of the quiet phase");
            }
        }
    }

    String auditTail() {
        if (!coordinatorUp) return "(coordinator down)";
        StringBuilder b = new StringBuilder();
        coordinator.audit(25).reversed().forEach(e -> b.append("\n  ").append(e.time().toEpochMilli() - epoch.toEpochMilli()).append(" ms g")
                .append(e.generation()).append(' ').append(e.type()).append(' ').append(e.message()));
        return b.toString();
    }

    long lostRecords() {
        long lost = 0;
        for (int c = 0; c < ledger.cpus(); c++) {
            for (int i = 0; i < ledger.emittedCount(c); i++) if (ledger.keptCount(c, i) == 0) lost++;
        }
        return lost;
    }
}
