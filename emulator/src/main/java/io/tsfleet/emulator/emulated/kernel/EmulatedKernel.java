package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.U32;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The emulated kernel: its generic netlink families ({@code nlctrl}, {@code TASKSTATS},
 * {@code TSFLEET_SOCK}), its netlink sockets, the per-CPU listener lists and sequence counters, and its
 * tasks. Plain Java; the broker and the control API are adapters around it.
 *
 * <p><b>Port ids</b> are handed out from a counter that starts above {@code pid_max} (so a port id never
 * looks like a pid) and are never reused while the kernel runs. The real kernel does reuse them (the
 * first socket of a process autobinds to its pid), which lets a new socket inherit a dead listener's
 * stale registrations until the next exit on each CPU meets {@code ECONNREFUSED}. Here a closed
 * connection's entries are equally removed lazily, per CPU, at that CPU's next exit, but nobody can ever
 * receive through them.
 */
public final class EmulatedKernel {
    /** The first port id handed out: {@code pid_max + 1}. */
    public static final long FIRST_PORT_ID = TaskTable.PID_MAX + 1L;

    private final KernelConfig config;
    private final KernelCounters counters = new KernelCounters();
    private final ListenerTable listeners;
    private final TaskTable tasks;
    private final ExitPath exitPath;
    private final GenericNetlink genl;
    private final TaskstatsFamily taskstats;
    private final Map<Integer, NetlinkSocket> sockets = new ConcurrentHashMap<>();
    private final AtomicLong nextPortId = new AtomicLong(FIRST_PORT_ID);
    private final UUID bootId = UUID.randomUUID();

    public EmulatedKernel(KernelConfig config, Clock clock) {
        this.config = config;
        this.listeners = new ListenerTable(config.possibleCpus());
        this.tasks = new TaskTable(config.zombieLimit());
        int taskstatsId = config.firstFamilyId();
        this.exitPath = new ExitPath(tasks, listeners, counters, () -> taskstatsId, clock, config.seed());
        this.taskstats = new TaskstatsFamily(taskstatsId, config, listeners, exitPath, tasks, counters);
        List<GenlFamily> families = new ArrayList<>();
        List<GenlFamily> registered = java.util.Collections.unmodifiableList(families);
        families.add(new ControllerFamily(() -> registered));
        families.add(taskstats);
        families.add(new SockFamily(taskstatsId + 1, config, this::privileged, bootId));
        this.genl = new GenericNetlink(families, this::privileged, counters);
        exitPath.boot();
    }

    public KernelConfig config() {
        return config;
    }

    /** This boot's id, drawn when the kernel starts (an emulator restart is a reboot): it names the run of the sequence counters. */
    public UUID bootId() {
        return bootId;
    }

    public KernelCounters counters() {
        return counters;
    }

    /** Opens a socket for a new connection; {@code outputSignal} is run when its queue gets output. */
    public NetlinkSocket openSocket(Runnable outputSignal) {
        long id = nextPortId.getAndIncrement();
        if (id > U32.MAX) throw new IllegalStateException("port ids exhausted: they are never reused");
        NetlinkSocket s = new NetlinkSocket((int) id, config.rmemDefault(), outputSignal);
        sockets.put(s.portId(), s);
        return s;
    }

    /** The connection is gone. Its listener entries stay until each CPU's next exit refuses them. */
    public void closeSocket(NetlinkSocket socket) {
        socket.close();
        sockets.remove(socket.portId());
    }

    /** One message sent on the socket; answers go to its receive queue. */
    public void receive(NetlinkSocket socket, NetlinkMessage message) {
        genl.receive(socket, message);
    }

    /** Ends tasks as described; throws {@link IllegalArgumentException} (changing nothing) for an impossible request. */
    public ExitResult exit(ExitSpec spec) {
        return exitPath.exit(spec);
    }

    /** The workload's fast path: one generated single-threaded task exits on {@code cpu}. Returns the sequence number used or -1. */
    public long exitGenerated(int cpu) {
        if (!listeners.isPossible(cpu)) throw new IllegalArgumentException("CPU " + cpu + " is not possible");
        return exitPath.exitGenerated(cpu);
    }

    /** Starts a live thread group (it answers CMD_GET until an exit names it). Returns its tgid. */
    public int spawn(String comm, int threads, int uid) {
        return exitPath.spawn(comm, threads, uid).tgid;
    }

    /** Thread ids of a live group, leader first (empty if none). */
    public List<Integer> liveThreads(int tgid) {
        return tasks.liveGroupOf(tgid).filter(g -> g.tgid == tgid).map(g -> {
            synchronized (g) {
                return g.threads.stream().map(TaskTable.LiveThread::tid).toList();
            }
        }).orElse(List.of());
    }

    public boolean isPossible(int cpu) {
        return listeners.isPossible(cpu);
    }

    public List<CpuSnapshot> cpus(CpuSet filter) {
        return listeners.snapshot(filter);
    }

    public CpuSnapshot cpu(int cpu) {
        return listeners.cpu(cpu).snapshot();
    }

    /** Open sockets by port id. */
    public List<NetlinkSocket.SocketState> sockets() {
        return sockets.values().stream().map(NetlinkSocket::state).sorted(Comparator.comparingLong(s -> U32.toLong(s.portId()))).toList();
    }

    public int openSockets() {
        return sockets.size();
    }

    /** Listener entries over all CPUs (one per CPU per registration; stale ones until purged). */
    public long listenerEntries() {
        return listeners.entries();
    }

    /** Distinct port ids with at least one listener entry. */
    public long listenerSockets() {
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (CpuSnapshot c : listeners.snapshot(config.possibleCpus())) for (int p : c.listeners()) ports.add(p);
        return ports.size();
    }

    /** For each port id with listener entries, the CPUs it is registered on. */
    public Map<Integer, CpuSet> registrations() {
        Map<Integer, CpuSet.Builder> b = new java.util.TreeMap<>(Integer::compareUnsigned);
        for (CpuSnapshot c : listeners.snapshot(config.possibleCpus())) {
            for (int p : c.listeners()) b.computeIfAbsent(p, k -> CpuSet.builder()).add(c.cpu());
        }
        Map<Integer, CpuSet> out = new java.util.LinkedHashMap<>();
        b.forEach((p, set) -> out.put(p, set.build()));
        return out;
    }

    public Optional<NetlinkSocket.SocketState> socket(int portId) {
        return Optional.ofNullable(sockets.get(portId)).map(NetlinkSocket::state);
    }

    public int liveTasks() {
        return tasks.liveThreads();
    }

    public int zombies() {
        return tasks.zombieCount();
    }

    public int familyId(String name) {
        GenlFamily f = genl.byName(name);
        if (f == null) throw new IllegalArgumentException("no family " + name);
        return f.id();
    }

    public int taskstatsFamilyId() {
        return familyId(TaskstatsProtocol.FAMILY_NAME);
    }

    public int sockFamilyId() {
        return familyId(SockProtocol.FAMILY_NAME);
    }

    boolean privileged(NetlinkSocket socket) {
        return config.token() == null || socket.authenticated();
    }
}
