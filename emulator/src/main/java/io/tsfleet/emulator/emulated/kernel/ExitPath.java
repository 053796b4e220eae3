package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * {@code do_exit} as far as taskstats sees it: the thread's final statistics, the thread-group aggregate
 * ({@code taskstats_tgid_alloc}, {@code fill_tgid_exit}), {@code AGROUP} for the last thread, the
 * AGGR_TGID record only for the last thread of a multi-threaded group, then the CPU's fan-out. Also
 * answers the statistics queries of {@code CMD_GET} for live and zombie tasks.
 */
final class ExitPath {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** How long the system clock's time is extrapolated with {@link System#nanoTime} before it is read again. */
    private static final long CLOCK_RECALIBRATION_NANOS = 100_000_000L;
    private static final Class<?> SYSTEM_CLOCK = Clock.systemUTC().getClass();

    private final TaskTable tasks;
    private final ListenerTable listeners;
    private final KernelCounters counters;
    private final IntSupplier familyId;
    private final Clock clock;
    private final long seed;
    private final long bootNanos;
    private final AtomicLong taskSerial = new AtomicLong();
    private final ExitTemplates templates;
    private final boolean systemClock;
    private volatile Calibration calibration;

    ExitPath(TaskTable tasks, ListenerTable listeners, KernelCounters counters, IntSupplier familyId, Clock clock, long seed) {
        this.tasks = tasks;
        this.listeners = listeners;
        this.counters = counters;
        this.familyId = familyId;
        this.clock = clock;
        this.seed = seed;
        this.systemClock = clock.getClass() == SYSTEM_CLOCK;
        this.bootNanos = nowNanos() - 86_400 * NANOS_PER_SECOND;
        this.templates = new ExitTemplates(seed);
    }

    /**
     * The clock's time in nanoseconds since the epoch. Any clock but the JDK's system clock (a fixed or
     * stepped test clock) is read every time. The system clock is read at most every 100 ms and extrapolated
     * with {@link System#nanoTime} in between: reading it costs a native call per exit, the extrapolation a
     * few nanoseconds, and the difference stays below what NTP can slew in 100 ms.
     */
    long nowNanos() {
        if (!systemClock) return readClock();
        Calibration c = calibration;
        long mono = System.nanoTime();
        if (c != null) {
            long since = mono - c.monoNanos;
            if (since >= 0 && since < CLOCK_RECALIBRATION_NANOS) return c.wallNanos + since;
        }
        long wall = readClock();
        calibration = new Calibration(wall, mono);
        return wall;
    }

    private long readClock() {
        Instant i = clock.instant();
        return i.getEpochSecond() * NANOS_PER_SECOND + i.getNano();
    }

    /** A reading of the system clock and of {@link System#nanoTime} taken together. */
    private record Calibration(long wallNanos, long monoNanos) {
    }

    /** Starts the emulated machine's long-lived processes: pid 1 and its daemons, started at boot. */
    void boot() {
        int[] threadCounts = {1, 1, 1, 1, 12, 4};
        for (int i = 0; i < TaskProfile.DAEMONS.size(); i++) {
            int ppid = i < 2 ? 0 : 1;
            tasks.spawn(0, ppid, TaskProfile.DAEMONS.get(i), threadCounts[i % threadCounts.length],
                    bootNanos + (i + 1) * 50_000_000L, nextTaskSeed());
        }
    }

    /** Creates a live group that stays until an exit names it. */
    TaskTable.Group spawn(String comm, int threads, int uid) {
        long taskSeed = nextTaskSeed();
        TaskProfile p = profile(taskSeed, comm, uid);
        return tasks.spawn(0, 1, p, threads, nowNanos(), taskSeed);
    }

    ExitResult exit(ExitSpec spec) {
        if (!listeners.isPossible(spec.cpu())) throw new IllegalArgumentException("CPU " + spec.cpu() + " is not possible");
        long now = nowNanos();
        Optional<TaskTable.Group> live = spec.tgid() == null ? Optional.empty()
                : tasks.liveGroupOf(spec.tgid()).filter(g -> g.tgid == spec.tgid());
        TaskTable.Group group;
        List<TaskTable.LiveThread> leaving;
        if (live.isPresent()) {
            group = live.get();
            synchronized (group) {
                if (spec.pid() != null) {
                    leaving = group.threads.stream().filter(t -> t.tid() == spec.pid()).toList();
                    if (leaving.isEmpty()) throw new IllegalArgumentException("thread " + spec.pid() + " is not a live thread of group " + group.tgid);
                } else {
                    leaving = exitOrder(group.threads);
                }
            }
        } else {
            if (spec.pid() != null) throw new IllegalArgumentException("no live thread group " + spec.tgid());
            if (spec.tgid() != null && tasks.inUse(spec.tgid())) throw new IllegalArgumentException("pid " + spec.tgid() + " is in use (a zombie)");
            long taskSeed = nextTaskSeed();
            TaskProfile p = profile(taskSeed, spec.comm(), spec.uid());
            if (spec.forkNoExec() != null) p = p.withForkNoExec(spec.forkNoExec());
            long lifetimeUs = spec.lifetimeUs() != null ? spec.lifetimeUs() : lifetime(taskSeed, p);
            group = tasks.spawn(spec.tgid() == null ? 0 : spec.tgid(), 1, p,
                    spec.threads() == null ? 1 : spec.threads(), now - lifetimeUs * 1000, taskSeed);
            synchronized (group) {
                leaving = exitOrder(group.threads);
            }
        }
        List<ExitResult.ThreadExit> out = new ArrayList<>(leaving.size());
        for (TaskTable.LiveThread t : leaving) out.add(exitThread(group, t, spec, now));
        return new ExitResult(spec.cpu(), group.tgid, out);
    }

    /**
     * The workload's fast path: a new single-threaded task exits on {@code cpu}, its event stamped from one of the
     * {@link ExitTemplates}. Returns the sequence number used, or -1.
     */
    long exitGenerated(int cpu) {
        long taskSeed = nextTaskSeed();
        long now = nowNanos();
        // born and gone within this call: nobody can observe it alive, so it never enters the live table
        int pid = tasks.allocatePid();
        // one array: the zombie's record and every listener's copy
        byte[] event = templates.exitEvent(taskSeed, familyId.getAsInt(), pid, now);
        tasks.addZombieEvent(pid, event);
        return listeners.cpu(cpu).exit(event, counters);
    }

    private ExitResult.ThreadExit exitThread(TaskTable.Group group, TaskTable.LiveThread thread, ExitSpec spec, long now) {
        StatsVector record;
        StatsVector tgidRecord = null;
        boolean groupDead;
        synchronized (group) {
            record = threadStats(group, thread, now);
            applyExitStatus(record, spec);
            for (Map.Entry<TaskstatsField, Long> e : spec.fields().entrySet()) record.set(e.getKey(), e.getValue());
            boolean threadGroup = group.deadThreads != null || group.threads.size() > 1;
            if (threadGroup && group.deadThreads == null) group.deadThreads = new StatsVector();
            if (threadGroup) group.deadThreads.accumulate(record);
            group.threads.remove(thread);
            groupDead = group.threads.isEmpty();
            if (groupDead) record.set(TaskstatsField.AC_FLAG, record.get(TaskstatsField.AC_FLAG) | TaskstatsProtocol.AGROUP);
            if (groupDead) {
                group.dead = true;
                if (threadGroup) tgidRecord = group.deadThreads.copy().set(TaskstatsField.VERSION, TaskstatsProtocol.STRUCT_VERSION);
            }
            if (groupDead) {
                StatsVector zombieTgid = group.deadThreads != null ? group.deadThreads.copy() : new StatsVector();
                StatsVector leaderRecord = thread.tid() == group.tgid ? record : group.leaderFinal;
                if (leaderRecord != null) tasks.addZombie(new TaskTable.Zombie(group.tgid, leaderRecord, zombieTgid));
                tasks.forgetThread(thread.tid());
                tasks.forgetThread(group.tgid);
            } else if (thread.tid() == group.tgid) {
                group.leaderFinal = record.copy(); // the leader lingers (pid still resolvable) until the group dies
            } else {
                tasks.forgetThread(thread.tid());
            }
        }
        byte[] event = EventEncoder.exitEvent(familyId.getAsInt(), thread.tid(), record, group.tgid, tgidRecord);
        long seq = listeners.cpu(spec.cpu()).exit(event, counters);
        return new ExitResult.ThreadExit(thread.tid(), seq, event.length, groupDead);
    }

    /** {@code fill_stats_for_pid}: a live thread's statistics now, or a zombie's final ones. */
    Optional<StatsVector> pidStats(long pid) {
        if (pid <= 0 || pid >= TaskTable.PID_MAX) return Optional.empty();
        int id = (int) pid;
        Optional<TaskTable.Group> g = tasks.liveGroupOf(id);
        if (g.isPresent()) {
            TaskTable.Group group = g.get();
            synchronized (group) {
                for (TaskTable.LiveThread t : group.threads) {
                    if (t.tid() == id) return Optional.of(threadStats(group, t, nowNanos()));
                }
                if (id == group.tgid && group.leaderFinal != null) return Optional.of(withoutGroupFlag(group.leaderFinal));
            }
        }
        // a query fills the record from the task's flags: AGROUP belongs to the exit event only
        return tasks.zombie(id).map(z -> withoutGroupFlag(z.pidRecord()));
    }

    private static StatsVector withoutGroupFlag(StatsVector v) {
        StatsVector c = v.copy();
        return c.set(TaskstatsField.AC_FLAG, c.get(TaskstatsField.AC_FLAG) & ~TaskstatsProtocol.AGROUP);
    }

    /** {@code fill_stats_for_tgid}: dead threads' aggregate plus every live thread; identity fields stay 0. */
    Optional<StatsVector> tgidStats(long tgid) {
        if (tgid <= 0 || tgid >= TaskTable.PID_MAX) return Optional.empty();
        int id = (int) tgid;
        Optional<TaskTable.Group> g = tasks.liveGroupOf(id);
        if (g.isPresent()) {
            TaskTable.Group group = g.get();
            synchronized (group) {
                StatsVector sum = group.deadThreads != null ? group.deadThreads.copy() : new StatsVector();
                long now = nowNanos();
                for (TaskTable.LiveThread t : group.threads) sum.accumulate(threadStats(group, t, now));
                return Optional.of(sum.set(TaskstatsField.VERSION, TaskstatsProtocol.STRUCT_VERSION));
            }
        }
        return tasks.zombie(id).map(z -> z.tgidRecord().copy());
    }

    private StatsVector threadStats(TaskTable.Group group, TaskTable.LiveThread t, long now) {
        long etimeUs = Math.max(0, (now - t.startNanos()) / 1000);
        long groupEtimeUs = Math.max(0, (now - group.startNanos) / 1000);
        StatsGenerator.Identity id = new StatsGenerator.Identity(t.tid(), group.tgid, group.ppid, t.tid() == group.tgid,
                t.startNanos() / NANOS_PER_SECOND, groupEtimeUs);
        return StatsGenerator.generate(t.seed(), group.profile, id, etimeUs);
    }

    private static void applyExitStatus(StatsVector record, ExitSpec spec) {
        long flags = record.get(TaskstatsField.AC_FLAG);
        if (spec.signal() != null) {
            record.set(TaskstatsField.AC_EXITCODE, spec.signal() | (spec.coreDumped() ? 0x80 : 0));
            flags |= TaskstatsProtocol.AXSIG | (spec.coreDumped() ? TaskstatsProtocol.ACORE : 0);
        } else {
            record.set(TaskstatsField.AC_EXITCODE, (long) (spec.exitCode() == null ? 0 : spec.exitCode()) << 8);
        }
        record.set(TaskstatsField.AC_FLAG, flags);
    }

    /** Threads leave before their leader: the leader's event is the last one, with the group's aggregate. */
    private static List<TaskTable.LiveThread> exitOrder(List<TaskTable.LiveThread> threads) {
        List<TaskTable.LiveThread> order = new ArrayList<>(threads.subList(1, threads.size()));
        order.add(threads.getFirst());
        return order;
    }

    /** The common profile a task seed picks. */
    static TaskProfile commonProfile(long taskSeed) {
        return TaskProfile.COMMON.get((int) Math.floorMod(taskSeed >>> 17, (long) TaskProfile.COMMON.size()));
    }

    private TaskProfile profile(long taskSeed, String comm, Integer uid) {
        TaskProfile p = commonProfile(taskSeed);
        if (comm != null) p = p.withComm(comm);
        if (uid != null) p = new TaskProfile(p.comm(), uid, p.forkNoExec(), p.cpuShare(), p.systemShare(), p.switchesPerSecond(),
                p.rssKib(), p.vmKib(), p.readPerSecond(), p.writePerSecond(), p.storageShare(), p.meanLifetimeUs());
        return p;
    }

    /** How long a task of {@code taskSeed} lived: log-normal around the profile's mean, at least 50 µs. */
    static long lifetime(long taskSeed, TaskProfile p) {
        SplittableRandom r = new SplittableRandom(taskSeed * 0x9E3779B97F4A7C15L);
        double factor = Math.exp(1.2 * r.nextGaussian());
        return Math.max(50, (long) (p.meanLifetimeUs() * factor));
    }

    private long nextTaskSeed() {
        long z = seed + taskSerial.incrementAndGet() * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long bootNanos() {
        return bootNanos;
    }
}
