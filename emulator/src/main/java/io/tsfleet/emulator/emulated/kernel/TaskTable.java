package io.tsfleet.emulator.emulated.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The emulated machine's tasks: live thread groups (which answer {@code CMD_GET} with statistics that grow
 * with time), zombies (exited group leaders not yet reaped, answering with their final statistics), and the
 * pid allocator ({@code alloc_pid}: cyclic below {@code pid_max}, restarting at 300 after a wrap, skipping
 * ids in use).
 */
final class TaskTable {
    /** {@code pid_max} of a 64-bit kernel ({@code PID_MAX_LIMIT}). */
    static final int PID_MAX = 4_194_304;
    /** {@code RESERVED_PIDS}: after a wrap, allocation restarts here. */
    static final int RESERVED_PIDS = 300;

    /** One live thread. */
    record LiveThread(int tid, long seed, long startNanos) {
    }

    /** A live thread group. Mutable parts are guarded by the group's monitor. */
    static final class Group {
        final int tgid;
        final int ppid;
        final TaskProfile profile;
        final long startNanos;
        final List<LiveThread> threads = new ArrayList<>(); // leader first
        /** {@code signal->stats}: allocated when a thread exits while others remain; dead threads accumulate here. */
        StatsVector deadThreads;
        /** The leader's final record when it exited before the other threads (it lingers until the group dies). */
        StatsVector leaderFinal;
        boolean dead;

        Group(int tgid, int ppid, TaskProfile profile, long startNanos) {
            this.tgid = tgid;
            this.ppid = ppid;
            this.profile = profile;
            this.startNanos = startNanos;
        }
    }

    /** An exited group leader waiting to be reaped. */
    record Zombie(int tgid, StatsVector pidRecord, StatsVector tgidRecord) {
    }

    private final Map<Integer, Group> groupsByTid = new ConcurrentHashMap<>();
    private final ZombieTable zombies;
    private final AtomicInteger lastPid = new AtomicInteger(0);

    TaskTable(int zombieLimit) {
        this.zombies = new ZombieTable(zombieLimit);
    }

    /** The next free pid, as {@code alloc_pid}. */
    int allocatePid() {
        for (int attempts = 0; attempts < PID_MAX; attempts++) {
            int candidate = lastPid.updateAndGet(p -> p + 1 >= PID_MAX ? RESERVED_PIDS : p + 1);
            if (!inUse(candidate)) return candidate;
        }
        throw new IllegalStateException("pid space exhausted");
    }

    boolean inUse(int pid) {
        return groupsByTid.containsKey(pid) || zombies.contains(pid);
    }

    /** Creates a live group; {@code tgid} 0 allocates one. Thread ids after the leader are allocated. */
    Group spawn(int tgid, int ppid, TaskProfile profile, int threadCount, long nowNanos, long seed) {
        if (threadCount < 1) throw new IllegalArgumentException("a thread group has at least one thread");
        int leader = tgid != 0 ? tgid : allocatePid();
        if (tgid != 0 && inUse(tgid)) throw new IllegalArgumentException("pid " + tgid + " is in use");
        Group g = new Group(leader, ppid, profile, nowNanos);
        synchronized (g) {
            for (int i = 0; i < threadCount; i++) {
                int tid = i == 0 ? leader : allocatePid();
                g.threads.add(new LiveThread(tid, seed * 31 + tid, nowNanos));
                groupsByTid.put(tid, g);
            }
        }
        return g;
    }

    Optional<Group> liveGroupOf(int tid) {
        return Optional.ofNullable(groupsByTid.get(tid));
    }

    /** A thread of a group is gone (reaped at once unless it is the leader of a group that just died). */
    void forgetThread(int tid) {
        groupsByTid.remove(tid);
    }

    /** The group's leader becomes a zombie; the oldest zombie beyond the limit is reaped. */
    void addZombie(Zombie z) {
        zombies.put(z.tgid(), z);
    }

    /**
     * {@link #addZombie} for a single-threaded task whose final record is the AGGR_PID struct of its exit
     * event (no group statistics): the event's bytes, shared with the listeners' queues, are the record, so
     * the exit path keeps no copy. They are decoded only when {@code CMD_GET} asks.
     */
    void addZombieEvent(int pid, byte[] event) {
        zombies.put(pid, event);
    }

    Optional<Zombie> zombie(int pid) {
        Object z = zombies.get(pid);
        if (z instanceof byte[] event) return Optional.of(new Zombie(pid, EventEncoder.pidRecordOf(event), new StatsVector()));
        return Optional.ofNullable((Zombie) z);
    }

    int liveThreads() {
        return groupsByTid.size();
    }

    int zombieCount() {
        return zombies.size();
    }

    List<Group> liveGroups() {
        return groupsByTid.values().stream().distinct().toList();
    }
}
