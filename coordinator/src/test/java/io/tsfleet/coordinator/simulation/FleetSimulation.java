package io.tsfleet.coordinator.simulation;

import io.tsfleet.coordinator.domain.Coordinator;
import io.tsfleet.coordinator.domain.CoordinatorException;
import io.tsfleet.coordinator.domain.CoordinatorSettings;
import io.tsfleet.coordinator.domain.fleet.NodeSettings;
import io.tsfleet.coordinator.domain.fleet.ReconcilerSettings;
import io.tsfleet.coordinator.domain.fleet.SlotSpace;
import io.tsfleet.coordinator.domain.policy.PolicySettings;
import io.tsfleet.coordinator.domain.policy.ScalingSettings;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.HandoverView;
import io.tsfleet.planner.PlannerSettings;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.protocol.fleet.NodeTarget;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import io.tsfleet.protocol.testing.ManualClock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deterministic simulation of the fleet: one seeded random source, a single-threaded event queue over a fake
 * clock, emulated nodes ({@link SimNode}: a kernel with per-CPU u32 sequence counters, a broker that unicasts every
 * exit to every replica registered on its CPU, a node agent that announces the node through
 * {@link Coordinator#announce}), replicas that follow the directive contract ({@link SimReplica}), a lossy,
 * reordering network between replicas, agents and the coordinator, and random events. Invariants are checked after
 * every event.
 *
 * <p>Two shapes: a <em>static</em> fleet (one node, {@code possible-cpus}, no agent: the fleet of one kernel from
 * before nodes existed) and a <em>cluster</em> fleet (many nodes of different sizes that join, leave, go silent,
 * crash and reboot, and replicas holding slots on many of them).
 */
final class FleetSimulation {
    static final int TICK_MS = 50;
    static final long HEARTBEAT_MS = 1000, LEASE_MS = 5000, STARTUP_MS = 5000;
    static final long ANNOUNCE_MS = 2000, NODE_LEASE_MS = 7000;
    static final int MAX_QUIET_MOVES = 2;

    record Faults(double heartbeatDrop, double responseDrop, int maxDelayMs, double crashWeight, double coordinatorRestartWeight) {
        static final Faults NONE = new Faults(0, 0, 0, 0, 0);
        static final Faults SOME = new Faults(0.05, 0.05, 1500, 1, 0.5);

        boolean crashes() {
            return crashWeight > 0;
        }
    }

    /**
     * The shape of a cluster fleet.
     *
     * @param initialNodes nodes at the start
     * @param minNodes     churn never takes the fleet below this many live nodes
     * @param maxNodes     nor above this many
     * @param nodeChurn    weight of the node events (join, leave, silence, crash, reboot) among all random events
     */
    record Cluster(int initialNodes, int minNodes, int maxNodes, double nodeChurn) {
    }

    private record Event(long time, long seq, Runnable action) {
    }

    static final int[] NODE_SIZES = {4, 8, 12, 16, 24, 32, 48, 64};

    final Random rnd;
    final Faults faults;
    final Cluster cluster; // null: a static fleet
    final ManualClock clock;
    final Map<String, SimNode> nodes = new TreeMap<>();   // the current node of each name (live or not)
    final List<SimNode> allNodes = new ArrayList<>();
    final InMemoryAssignmentStore store = new InMemoryAssignmentStore();
    final CoordinatorSettings settings;
    final NodeSettings nodeSettings = new NodeSettings(Duration.ofMillis(NODE_LEASE_MS), Duration.ofMillis(ANNOUNCE_MS), 64);
    Coordinator coordinator;
    boolean coordinatorUp = true;
    final Map<String, SimReplica> replicas = new TreeMap<>();   // live processes (and crashed ones until reaped)
    final List<SimReplica> allReplicas = new ArrayList<>();
    final List<Long> crashTimes = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    /** What happened that the assertions may want to explain. */
    final List<String> notes = new ArrayList<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final Instant epoch = Instant.parse("2030-01-01T00:00:00Z");
    private long eventSeq;
    private long now;
    private int nextReplicaId, nextNodeId;
    private long lastGeneration;
    private final double capacity = 900;
    long quietFromMillis = Long.MAX_VALUE;
    long movesAtQuiet = -1;
    final Map<String, Integer> eventCounts = new TreeMap<>();
    /** Per node: the most nodes the fleet held at once, and how many node joins/departures/reboots the coordinator saw. */
    int maxFleetNodes, nodesJoinedSeen, nodesLeftSeen, rebootsSeen;
    /** Records kept twice in a documented window of a node's life (a holdback written when a reboot broke its connection, a rejoin). */
    int excusedDuplicates;
    /** Records of the steady state (late in the quiet phase) not kept exactly once. */
    long steadyStateMisses;

    /** A static fleet of one node (CPUs 0-39 without 13 and 27). */
    FleetSimulation(long seed, Faults faults) {
        this(seed, faults, null);
    }

    FleetSimulation(long seed, Faults faults, Cluster cluster) {
        this.rnd = new Random(seed);
        this.faults = faults;
        this.cluster = cluster;
        this.clock = new ManualClock(epoch);
        CpuSet possible = CpuSet.EMPTY;
        if (cluster == null) {
            CpuSet.Builder b = CpuSet.builder();
            for (int c = 0; c < 40; c++) if (c != 13 && c != 27) b.add(c);
            possible = b.build();
            SimNode local = new SimNode(CoordinatorSettings.DEFAULT_STATIC_NODE, possible, null, rnd, 5, 35);
            local.boot(rnd, 0, false);
            local.inFleet = true;
            local.coveringUntilMillis = STARTUP_MS;
            nodes.put(local.name, local);
            allNodes.add(local);
        }
        this.settings = new CoordinatorSettings(possible, Duration.ofMillis(HEARTBEAT_MS), Duration.ofMillis(LEASE_MS), Duration.ofSeconds(5),
                new PlannerSettings(0.7, 1.05, 1.0),
                new PolicySettings(1.10, Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(20), Duration.ofSeconds(5)),
                new ReconcilerSettings(Duration.ofSeconds(8), Duration.ofSeconds(5), cluster == null ? 6 : 32), new ScalingSettings(1, 16, 0.1, Duration.ofSeconds(60)), 500);
        this.coordinator = newCoordinator();
    }

    private Coordinator newCoordinator() {
        return new Coordinator(settings, nodeSettings, new StickyBalancedAssignor(), store, clock);
    }

    boolean clusterFleet() {
        return cluster != null;
    }

    // ----------------------------------------------------------------------------------------- scheduling

    private void at(long time, Runnable action) {
        queue.add(new Event(time, eventSeq++, action));
    }

    void run(long durationMillis, long quietMillis) {
        quietFromMillis = durationMillis;
        if (clusterFleet()) {
            for (int i = 0; i < cluster.initialNodes(); i++) startNode(newNodeName(), rnd.nextInt(1500));
            for (int i = 0; i < 4; i++) startReplica(0);
        } else {
            for (int i = 0; i < 3; i++) startReplica(0);
        }
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

    private record NodeCpu(SimNode node, int cpu) {
    }

    private void kernelTick() {
        for (SimReplica r : replicas.values()) {
            if (r.alive) r.tick(TICK_MS / 1000.0, now);
        }
        // CPUs in a random order each tick, so that an overflowing replica does not always starve the same CPUs
        List<NodeCpu> cpus = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (n.brokerUp) n.cpus.forEach(c -> cpus.add(new NodeCpu(n, c)));
        }
        for (int i = cpus.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            NodeCpu t = cpus.get(i);
            cpus.set(i, cpus.get(j));
            cpus.set(j, t);
        }
        for (NodeCpu nc : cpus) {
            SimNode node = nc.node();
            int c = nc.cpu();
            double expected = node.rate[c] * TICK_MS / 1000.0;
            int n = (int) expected + (rnd.nextDouble() < expected - (int) expected ? 1 : 0);
            for (int k = 0; k < n; k++) {
                long s = node.seq[c];
                node.seq[c] = Serial.next(s);
                boolean covered = false;
                for (SimReplica r : replicas.values()) covered |= r.registeredOn(node, c);
                byte flags = 0;
                if (!node.inFleet) flags |= Ledger.NODE_ABSENT;
                if (!covered && now < node.coveringUntilMillis) flags |= Ledger.COVERING;
                if (now < node.rejoinedUntilMillis) flags |= Ledger.REJOINED;
                node.ledger.emitted(c, s, (int) now, covered, flags);
                for (SimReplica r : replicas.values()) if (r.alive) r.receive(node, c, s, (int) now);
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
        SimReplica r = new SimReplica(id, Long.toHexString(rnd.nextLong()), nodes::get, capacity, LEASE_MS, now);
        replicas.put(id, r);
        allReplicas.add(r);
        at(now + delayMs, () -> heartbeatLoop(r));
        return r;
    }

    private void heartbeatLoop(SimReplica r) {
        if (!r.alive || replicas.get(r.id) != r) return;
        if (r.drainedOut() || (r.draining && now - r.drainingSinceMillis > 60_000)) {
            // A drained replica exits; one that could not drain in time is killed (a crash).
            if (!r.drainedOut()) {
                notes.add(now + " ms: killed after failing to drain: " + r.describe());
                crash(r, "drain grace period exceeded");
            }
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
        } catch (CoordinatorException.Conflict e) {
            // a late heartbeat of a process that has been replaced by a restart: refused, as it must be; and a
            // restarted process is refused until its predecessor's lease has run out (it keeps heartbeating)
            boolean waitsForPredecessor = e.getMessage().contains("a new incarnation is accepted once that lease expires");
            if (r.alive && !waitsForPredecessor) violations.add(now + " ms: heartbeat of live " + r.id + " refused: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            violations.add(now + " ms: heartbeat of " + r.id + " refused: " + e);
            return;
        }
        checkDirective(r, d);
        if (rnd.nextDouble() >= faults.responseDrop()) {
            int delay = delay();
            at(now + delay, () -> r.apply(d, (int) now));
        }
    }

    /** A directive names only nodes of the fleet, with their current boot and broker; one generation, one content. */
    private void checkDirective(SimReplica r, ReplicaDirective d) {
        StringBuilder content = new StringBuilder();
        SlotSpace space = coordinator.slotSpace();
        for (NodeTarget t : d.nodes()) {
            content.append(t.node()).append('/').append(t.bootId()).append('/').append(t.broker()).append(' ').append(t.targetCpus()).append(' ')
                    .append(new TreeMap<>(t.releaseFences())).append("; ");
            SimNode node = nodes.get(t.node());
            SlotSpace.NodeBlock block = space.node(t.node());
            if (node == null || block == null) {
                violations.add(now + " ms: the directive of " + r.id + " names " + t.node() + ", which is not a node of the fleet");
                continue;
            }
            if (!java.util.Objects.equals(t.bootId(), block.bootId()) || !node.boots.contains(t.bootId())) {
                violations.add(now + " ms: the directive of " + r.id + " names boot " + t.bootId() + " of " + t.node() + ", not the boot the coordinator knows");
            }
            if (!java.util.Objects.equals(t.broker(), node.broker)) {
                violations.add(now + " ms: the directive of " + r.id + " names broker " + t.broker() + " for " + t.node() + ", not " + node.broker);
            }
        }
        String earlier = r.directivesSeen.putIfAbsent(d.generation(), content.toString());
        if (earlier != null && !earlier.contentEquals(content)) {
            violations.add(now + " ms: two different directives for " + r.id + " under generation " + d.generation() + ": " + earlier + " vs " + content);
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

    // ----------------------------------------------------------------------------------------- nodes

    private String newNodeName() {
        return String.format("worker-%02d", nextNodeId++);
    }

    /** A node boots with its broker and its agent, which announces it at once and then every announce interval. */
    private SimNode startNode(String name, int delayMs) {
        CpuSet.Builder b = CpuSet.builder();
        int size = NODE_SIZES[rnd.nextInt(NODE_SIZES.length)];
        int hole = rnd.nextInt(3) == 0 ? rnd.nextInt(size) : -1; // some nodes have a CPU missing from their possible CPUs
        for (int c = 0; c < size; c++) if (c != hole || size == 1) b.add(c);
        SimNode node = new SimNode(name, b.build(), name + ".nodes.test:7441", rnd, 1, 9);
        nodes.put(name, node);
        allNodes.add(node);
        at(now + delayMs, () -> {
            node.boot(rnd, now, true);
            node.ledger.story = c -> " " + slotStory(node, c);
            node.agentUp = true;
            announceLoop(node, node.bootId);
        });
        return node;
    }

    private void announceLoop(SimNode node, String bootId) {
        if (node.retired || !node.agentUp || !bootId.equals(node.bootId) || nodes.get(node.name) != node) return;
        if (rnd.nextDouble() >= faults.heartbeatDrop()) sendFromAgent(node, () -> deliverAnnouncement(node, bootId));
        at(now + ANNOUNCE_MS + rnd.nextInt(100), () -> announceLoop(node, bootId));
    }

    /** The agent's requests go one after another (it waits for each answer), each delayed by the network. */
    private void sendFromAgent(SimNode node, Runnable delivery) {
        long arrival = Math.max(now + delay(), node.agentChannelFreeAt);
        node.agentChannelFreeAt = arrival;
        at(arrival, delivery);
    }

    private void deliverAnnouncement(SimNode node, String bootId) {
        // an announcement of a boot that has ended died with its connection; one of a withdrawn node was never sent
        if (!coordinatorUp || node.retired || !bootId.equals(node.bootId) || nodes.get(node.name) != node) return;
        NodeAnnouncement a = node.announcement();
        try {
            coordinator.announce(Coordinator.parseAnnouncement(node.name, a));
        } catch (RuntimeException e) {
            violations.add(now + " ms: announcement of " + node.name + " refused: " + e);
        }
    }

    /** The broker goes away: every replica's connections to it break (they reconnect once it is back, if they own CPUs there). */
    private void brokerDown(SimNode node) {
        node.brokerUp = false;
        for (SimReplica r : replicas.values()) r.brokerLost(node, now + 200 + rnd.nextInt(800), (int) now);
    }

    private List<SimNode> liveNodes() {
        return nodes.values().stream().filter(n -> !n.retired && n.brokerUp && n.agentUp).toList();
    }

    private String nodeJoin() {
        if (liveNodes().size() >= cluster.maxNodes()) return "skip";
        // a new machine, or one that left earlier coming back (a new boot under an old name)
        List<SimNode> retired = nodes.values().stream().filter(n -> n.retired).toList();
        String name = !retired.isEmpty() && rnd.nextBoolean() ? retired.get(rnd.nextInt(retired.size())).name : newNodeName();
        int count = rnd.nextInt(4) == 0 ? 3 : 1; // sometimes a scale-up of several at once
        startNode(name, rnd.nextInt(500));
        for (int i = 1; i < count && liveNodes().size() + i < cluster.maxNodes(); i++) startNode(newNodeName(), rnd.nextInt(500));
        return "node-join";
    }

    private SimNode pickLive() {
        List<SimNode> live = liveNodes();
        return live.size() <= cluster.minNodes() ? null : live.get(rnd.nextInt(live.size()));
    }

    /** The node shuts down: its agent withdraws it, then the broker stops. */
    private String nodeLeave() {
        SimNode node = pickLive();
        if (node == null) return "skip";
        node.agentUp = false;
        node.retired = true;
        sendFromAgent(node, () -> {
            if (coordinatorUp) coordinator.withdrawNode(node.name);
            // a withdrawal the coordinator did not get (down): the node's lease runs out instead
        });
        at(now + 100 + rnd.nextInt(1500), () -> brokerDown(node));
        return "node-leave";
    }

    /** The agent goes silent (hung, or cut off from the coordinator) while the broker keeps running; it may come back. */
    private String nodeSilent() {
        SimNode node = pickLive();
        if (node == null) return "skip";
        node.agentUp = false;
        at(now + 3_000 + rnd.nextInt(20_000), () -> {
            if (node.retired || node.agentUp || !node.brokerUp || nodes.get(node.name) != node) return;
            node.agentUp = true;
            announceLoop(node, node.bootId);
        });
        return "node-silent";
    }

    /** The node dies (broker and agent); it boots again later, with a new boot id, before or after its lease ran out. */
    private String nodeCrash() {
        SimNode node = pickLive();
        if (node == null) return "skip";
        node.agentUp = false;
        brokerDown(node);
        at(now + 2_000 + rnd.nextInt(15_000), () -> bootAgain(node));
        return "node-crash";
    }

    /** The node reboots: down for a second or few, then a new boot id and sequences that start anew. */
    private String nodeReboot() {
        SimNode node = pickLive();
        if (node == null) return "skip";
        node.agentUp = false;
        brokerDown(node);
        at(now + 1_000 + rnd.nextInt(3_000), () -> bootAgain(node));
        return "node-reboot";
    }

    private void bootAgain(SimNode node) {
        if (node.retired || nodes.get(node.name) != node) return;
        node.boot(rnd, now, true);
        node.ledger.story = c -> " " + slotStory(node, c);
        node.coveringUntilMillis = Long.MAX_VALUE; // until the coordinator learns of the new boot (below)
        node.agentUp = true;
        announceLoop(node, node.bootId);
    }

    // ----------------------------------------------------------------------------------------- random events

    private void randomEvent(long until) {
        if (now >= until) {
            // constant load from here on: the quiet phase
            return;
        }
        List<SimReplica> live = replicas.values().stream().filter(r -> r.alive && !r.draining).toList();
        double churn = clusterFleet() ? cluster.nodeChurn() : 0;
        double[] weights = {3, 1.5, 2, faults.crashWeight(), faults.crashWeight() * 0.7, 1, 1, faults.coordinatorRestartWeight(), 0.7,
                churn * 1.2, churn * 0.7, churn * 0.5, churn * 0.4, churn * 0.8};
        double total = 0;
        for (double w : weights) total += w;
        double pick = rnd.nextDouble() * total;
        int kind = 0;
        while (pick >= weights[kind]) pick -= weights[kind++];
        int maxReplicas = clusterFleet() ? 9 : 7;
        String name = switch (kind) {
            case 0 -> loadShift();
            case 1 -> hotSpot();
            case 2 -> live.size() < maxReplicas ? join() : "skip";
            case 3 -> live.size() > 2 ? crashOne(live) : "skip";
            case 4 -> live.size() > 2 ? restartOne(live) : "skip";
            case 5 -> live.size() > 2 ? sigterm(live) : "skip";
            case 6 -> live.size() > 2 ? adminDrain(live) : "skip";
            case 7 -> restartCoordinator();
            case 8 -> adminPin(live);
            case 9 -> nodeJoin();
            case 10 -> nodeLeave();
            case 11 -> nodeSilent();
            case 12 -> faults.crashes() ? nodeCrash() : nodeLeave();
            case 13 -> nodeReboot();
            default -> throw new IllegalStateException();
        };
        eventCounts.merge(name, 1, Integer::sum);
        at(now + (clusterFleet() ? 4_000 + rnd.nextInt(8_000) : 8_000 + rnd.nextInt(15_000)), () -> randomEvent(until));
    }

    private String loadShift() {
        for (SimNode n : nodes.values()) {
            for (int c = n.cpus.nextCpu(0); c >= 0; c = n.cpus.nextCpu(c + 1)) {
                if (rnd.nextInt(3) == 0) n.rate[c] = clusterFleet() ? 1 + rnd.nextInt(9) : 2 + rnd.nextInt(40);
            }
        }
        return "load-shift";
    }

    private String hotSpot() {
        List<SimNode> all = new ArrayList<>(nodes.values());
        SimNode n = all.get(rnd.nextInt(all.size()));
        int[] cpus = n.cpus.toArray();
        int c = cpus[rnd.nextInt(cpus.length)];
        n.rate[c] = rnd.nextBoolean() ? 700 : 150; // 700 exceeds one replica's headroom limit (0.7 x 900)
        return n.rate[c] > 630 ? "hot-spot" : "warm-spot";
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

    /** An operator pins a few CPUs of one node to a replica (naming the node on a cluster fleet), and unpins them later. */
    private String adminPin(List<SimReplica> live) {
        if (!coordinatorUp || live.isEmpty()) return "skip";
        SimReplica r = live.get(rnd.nextInt(live.size()));
        List<SlotSpace.NodeBlock> blocks = coordinator.slotSpace().blocks();
        if (blocks.isEmpty()) return "skip";
        SlotSpace.NodeBlock block = blocks.get(rnd.nextInt(blocks.size()));
        int from = block.cpus().first() + rnd.nextInt(Math.min(30, block.cpus().length()));
        int to = Math.min(block.cpus().length() - 1, from + rnd.nextInt(4));
        try {
            if (clusterFleet()) coordinator.setMask(r.id, block.node(), from + "-" + to);
            else coordinator.setMask(r.id, from + "-" + to);
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
        return clusterFleet() ? "admin-pin-node" : "admin-pin";
    }

    private String restartCoordinator() {
        if (!coordinatorUp) return "skip";
        coordinatorUp = false;
        at(now + 2_000 + rnd.nextInt(6_000), () -> {
            coordinator = newCoordinator();
            coordinatorUp = true;
        });
        return "coordinator-restart";
    }

    // ----------------------------------------------------------------------------------------- invariants

    private long detectionWindow() {
        return LEASE_MS + 2 * HEARTBEAT_MS + 2L * Math.max(faults.maxDelayMs(), 100) + 2000;
    }

    /** How long a node's slots may stay uncovered after it joined (or the coordinator learned of its reboot): a tick and a heartbeat. */
    private long coveringWindow() {
        return faults.maxDelayMs() == 0 ? 1000 + HEARTBEAT_MS + 100 + 2 * TICK_MS + 10 : detectionWindow();
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

    /** What the coordinator's slot space says about each node, compared with the previous step: joins, departures, reboots. */
    private void followFleet() {
        if (!coordinatorUp || !clusterFleet()) return;
        SlotSpace space = coordinator.slotSpace();
        maxFleetNodes = Math.max(maxFleetNodes, space.nodeCount());
        Set<String> inSpace = new HashSet<>();
        for (SlotSpace.NodeBlock b : space.blocks()) {
            inSpace.add(b.node());
            SimNode node = nodes.get(b.node());
            if (node == null) {
                violations.add(now + " ms: the fleet holds " + b.node() + ", which never announced itself");
                continue;
            }
            if (!node.inFleet) {
                boolean rejoin = node.leftGeneration >= 0 || allNodes.stream().anyMatch(n -> n != node && n.name.equals(node.name));
                if (rejoin) node.rejoinedUntilMillis = now + detectionWindow();
                node.inFleet = true;
                node.leftAtMillis = -1;
                node.leftGeneration = -1;
                node.fleetBootId = b.bootId();
                node.coveringUntilMillis = now + coveringWindow();
                nodesJoinedSeen++;
            } else if (!java.util.Objects.equals(node.fleetBootId, b.bootId())) {
                node.fleetBootId = b.bootId();
                node.coveringUntilMillis = now + coveringWindow();
                rebootsSeen++;
            }
        }
        for (SimNode node : nodes.values()) {
            if (node.inFleet && !inSpace.contains(node.name)) {
                node.inFleet = false;
                node.leftAtMillis = now;
                node.leftGeneration = coordinator.generation();
                nodesLeftSeen++;
            }
        }
    }

    private void checkInvariants() {
        followFleet();
        if (coordinatorUp) {
            long g = coordinator.generation();
            if (g < lastGeneration) violations.add(now + " ms: generation went backwards " + lastGeneration + " -> " + g);
            lastGeneration = g;
            long maxAge = 3 * settings.reconciler().handoverTimeout().toMillis() + 2 * LEASE_MS;
            for (HandoverView h : coordinator.assignment().handovers()) {
                long age = clock.instant().toEpochMilli() - h.startedAt().toEpochMilli();
                if (age > maxAge && !h.waitingForTraffic()) {
                    violations.add(now + " ms: handover of " + h.node() + " CPU " + h.cpu() + " hangs for " + age + " ms in " + h.phase());
                }
            }
        }
        for (SimReplica r : allReplicas) {
            if (r.appliedGeneration() > lastGeneration && coordinatorUp) {
                violations.add(now + " ms: " + r.id + " applied generation " + r.appliedGeneration() + " above the coordinator's " + lastGeneration);
            }
        }
        for (SimNode node : nodes.values()) {
            if (node.inFleet || node.leftAtMillis < 0) continue;
            // a node that left: no replica that applied a directive since keeps a connection to it, and none does
            // one heartbeat later when no message is lost
            for (SimReplica r : replicas.values()) {
                if (!r.connectedTo(node.name)) continue;
                boolean told = r.appliedGeneration() >= node.leftGeneration;
                boolean late = faults.maxDelayMs() == 0 && now > node.leftAtMillis + HEARTBEAT_MS + 100 + 2 * TICK_MS;
                if (told || late) {
                    violations.add(now + " ms: " + r.id + " still holds connections to " + node.name + ", which left the fleet at "
                            + node.leftAtMillis + " ms (generation " + node.leftGeneration + ", the replica applied " + r.appliedGeneration() + ")");
                    node.leftAtMillis = -1; // reported once
                }
            }
        }
        if (violations.size() > 40) return;
        boolean crashWindow = withinCrashWindow(now);
        for (SimNode node : nodes.values()) {
            if (!node.inFleet || !node.brokerUp || now < node.coveringUntilMillis || now <= STARTUP_MS) continue;
            for (int c = node.cpus.nextCpu(0); c >= 0; c = node.cpus.nextCpu(c + 1)) {
                int covered = 0, keeping = 0;
                for (SimReplica r : replicas.values()) {
                    if (r.registeredOn(node, c)) covered++;
                    if (r.keeps(node, c)) keeping++;
                }
                if (covered == 0 && !crashWindow && reportedOnce.add("uncovered " + node.name + " " + c)) {
                    violations.add(now + " ms: " + node.name + " CPU " + c + " is not covered and no crash explains it (" + slotStory(node, c) + ")");
                    return;
                }
                if (keeping > 1 && !crashWindow && reportedOnce.add("owners " + node.name + " " + c)) {
                    violations.add(now + " ms: " + node.name + " CPU " + c + " has " + keeping + " replicas that keep its records as its owner ("
                            + slotStory(node, c) + ")");
                    return;
                }
            }
        }
    }

    private final Set<String> reportedOnce = new HashSet<>();

    /** What the coordinator and the replicas say about one slot (for a violation's message). */
    private String slotStory(SimNode node, int c) {
        StringBuilder b = new StringBuilder("boot " + node.boots.size() + " since " + node.bootStartedMillis + " ms, covering until " + node.coveringUntilMillis);
        if (coordinatorUp) {
            try {
                var v = coordinator.cpu(node.name, c);
                b.append("; coordinator: owner ").append(v.owner()).append(", target ").append(v.target()).append(", handover ").append(v.handover() == null ? null : v.handover().phase()).append(", registered by ").append(v.registeredBy());
            } catch (RuntimeException e) {
                b.append("; coordinator: ").append(e.getMessage());
            }
        }
        for (SimReplica r : replicas.values()) {
            if (r.target(node.name).contains(c) || r.registeredOn(node, c)) {
                b.append("; ").append(r.id).append(r.alive ? "" : " (dead)").append(" g").append(r.appliedGeneration())
                        .append(r.target(node.name).contains(c) ? " targets" : "").append(r.registeredOn(node, c) ? " registered" : "");
            }
        }
        return b.toString();
    }

    private void finalChecks() {
        for (SimNode node : allNodes) {
            for (Ledger ledger : node.ledgers) {
                // A replica that dies during a make phase has kept records its predecessor keeps too: a crash race,
                // tolerated only within the detection window of a crash; and a holdback written when a reboot broke
                // the connection may duplicate what the handover's new owner kept.
                for (int i = 0; i < ledger.duplicates.size(); i++) {
                    byte f = ledger.duplicateFlags.get(i);
                    boolean excused = (f & (Ledger.HELD_AT_BREAK | Ledger.REJOINED)) != 0;
                    if (excused) excusedDuplicates++;
                    else if (!withinCrashRace(ledger.duplicateTimes.get(i))) violations.add(ledger.duplicates.get(i));
                    if (violations.size() > 20) break;
                }
                lostRecords(ledger, true);
                steadyState(ledger);
            }
        }
        for (SimReplica r : allReplicas) {
            if (r.gapLost > r.overflowDrops) {
                violations.add(r.id + " counted " + r.gapLost + " records lost from sequence gaps, more than the " + r.overflowDrops
                        + " it dropped: a sequence restart was counted as loss");
            }
        }
        if (coordinatorUp && movesAtQuiet >= 0) {
            // Bounded, not zero: Poisson noise in the measured rates can still push the imbalance over the threshold
            // for a sustain window once in a while; flapping would be many moves.
            long late = coordinator.status().cpusMoved() - movesAtQuiet;
            // a cluster fleet's CPUs are many and slow (1-9 exits/s), so their measured rates are noisier
            long bound = clusterFleet() ? MAX_QUIET_MOVES + coordinator.slotSpace().slots().size() / 100 : MAX_QUIET_MOVES;
            if (late > bound) violations.add("flapping: " + late + " CPUs moved in the second half of the quiet phase under constant load");
        }
        if (coordinatorUp) {
            for (HandoverView h : coordinator.assignment().handovers()) {
                if (!h.waitingForTraffic()) violations.add("handover of " + h.node() + " CPU " + h.cpu() + " still in " + h.phase() + " at the end of the quiet phase");
            }
        }
    }

    /**
     * The steady state: from a while into the quiet phase (the last node events have played out: a silent agent came
     * back, a crashed node booted again, their slots were covered), every exit of a live node is kept exactly once,
     * whatever window it falls in; only records an overflowing replica dropped, or still held at the end, are not.
     */
    private void steadyState(Ledger ledger) {
        long steadyFrom = quietFromMillis + 45_000;
        int reported = 0;
        for (int c = 0; c < ledger.cpus(); c++) {
            Set<Long> pending = new HashSet<>();
            for (SimReplica r : replicas.values()) if (r.alive) pending.addAll(r.heldOn(ledger, c));
            for (int i = 0; i < ledger.emittedCount(c); i++) {
                if (ledger.emittedAt(c, i) < steadyFrom || ledger.keptCount(c, i) == 1) continue;
                byte f = ledger.flags(c, i);
                if ((f & Ledger.NODE_ABSENT) != 0) continue; // not a live node
                if (ledger.keptCount(c, i) == 0 && ((f & Ledger.OVERFLOW) != 0 || pending.contains(ledger.seqAt(c, i)))) continue;
                steadyStateMisses++;
                if (reported++ < 5) {
                    violations.add("steady state: record " + ledger.name + "CPU " + c + " seq " + ledger.seqAt(c, i) + " emitted at "
                            + ledger.emittedAt(c, i) + " ms was kept " + ledger.keptCount(c, i) + " times");
                }
            }
        }
    }

    /** Records of {@code ledger} that nobody kept and no documented window explains; with {@code report}, each is a violation. */
    private long lostRecords(Ledger ledger, boolean report) {
        long lost = 0;
        int reported = 0;
        for (int c = 0; c < ledger.cpus(); c++) {
            Set<Long> pending = new HashSet<>();
            for (SimReplica r : replicas.values()) if (r.alive) pending.addAll(r.heldOn(ledger, c));
            for (int i = 0; i < ledger.emittedCount(c); i++) {
                if (ledger.keptCount(c, i) > 0) continue;
                long s = ledger.seqAt(c, i);
                byte f = ledger.flags(c, i);
                if (pending.contains(s) || (f & (Ledger.OVERFLOW | Ledger.CRASH_HELD | Ledger.DROPPED_WITH_NODE | Ledger.NODE_ABSENT)) != 0) continue;
                if (withinCrashWindow(ledger.emittedAt(c, i))) continue;
                if ((f & Ledger.UNCOVERED) != 0 && ((f & Ledger.COVERING) != 0 || ledger.emittedAt(c, i) < STARTUP_MS)) continue;
                lost++;
                if (report && reported++ < 20) {
                    violations.add("record " + ledger.name + "CPU " + c + " seq " + s + " emitted at " + ledger.emittedAt(c, i) + " ms was lost"
                            + ((f & Ledger.UNCOVERED) != 0 ? " (uncovered)" : " (delivered, but nobody kept it)"));
                }
            }
        }
        return lost;
    }

    /** Every exit of every boot of every node. */
    long totalRecords() {
        long t = 0;
        for (SimNode n : allNodes) for (Ledger l : n.ledgers) t += l.total();
        return t;
    }

    /** Duplicates of every ledger, tolerated ones included. */
    List<String> duplicates() {
        List<String> out = new ArrayList<>();
        for (SimNode n : allNodes) for (Ledger l : n.ledgers) out.addAll(l.duplicates);
        return out;
    }

    String auditTail() {
        if (!coordinatorUp) return "(coordinator down)";
        StringBuilder b = new StringBuilder();
        coordinator.audit(25).reversed().forEach(e -> b.append("\n  ").append(e.time().toEpochMilli() - epoch.toEpochMilli()).append(" ms g")
                .append(e.generation()).append(' ').append(e.type()).append(' ').append(e.message()));
        return b.toString();
    }
}
