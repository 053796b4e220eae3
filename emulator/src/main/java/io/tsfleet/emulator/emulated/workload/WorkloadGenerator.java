package io.tsfleet.emulator.emulated.workload;

import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Turns a {@link WorkloadPlan} into exits: each {@link #tick()} computes, for every possible CPU, the exits
 * due since the previous tick at the CPU's current rate and emits the whole ones (fractions carry over, so
 * long-run rates are exact). Driven by a scheduler in the application; the clock is injected so tests step
 * time by hand. At most {@code maxExitsPerTick} exits per tick are emitted; the rest is dropped and
 * counted ({@link #lagged()}), so an absurd plan cannot stall the caller.
 *
 * <p>A tick that comes late catches up at most {@code maxCatchUp} of time: the exits due for the rest are not
 * emitted but counted as lagged. A generator that cannot keep up with its plan (starved of CPU, or a rate beyond what
 * one thread produces) thus degrades to the most it can produce, spread over its ticks, instead of emitting the whole
 * backlog of a stall at once: a burst of that size would overflow the listeners' queues and look like the fleet's
 * loss while it is the source's.
 */
public final class WorkloadGenerator {
    private final int[] cpus;
    private final IntConsumer exit;
    private final Clock clock;
    private final int maxExitsPerTick;
    private final long maxCatchUpNanos;
    private final double[] credit;
    private WorkloadPlan plan;
    private Instant appliedAt;
    private Instant lastTick;
    private double[] steadyRate;
    private long emitted;
    private long lagged;
    private double skipped;

    /** A generator that catches up any delay (up to {@code maxExitsPerTick}). */
    public WorkloadGenerator(CpuSet possible, IntConsumer exit, Clock clock, WorkloadPlan initial, int maxExitsPerTick) {
        this(possible, exit, clock, initial, maxExitsPerTick, Long.MAX_VALUE);
    }

    public WorkloadGenerator(CpuSet possible, IntConsumer exit, Clock clock, WorkloadPlan initial, int maxExitsPerTick, Duration maxCatchUp) {
        this(possible, exit, clock, initial, maxExitsPerTick, positiveNanos(maxCatchUp));
    }

    private WorkloadGenerator(CpuSet possible, IntConsumer exit, Clock clock, WorkloadPlan initial, int maxExitsPerTick, long maxCatchUpNanos) {
        this.cpus = possible.toArray();
        this.exit = exit;
        this.clock = clock;
        this.maxExitsPerTick = maxExitsPerTick;
        this.maxCatchUpNanos = maxCatchUpNanos;
        this.credit = new double[cpus.length];
        apply(initial);
    }

    private static long positiveNanos(Duration d) {
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("maxCatchUp must be positive");
        return d.toNanos();
    }

    /** Replaces the plan; its bursts count from now. */
    public synchronized void apply(WorkloadPlan p) {
        plan = p;
        appliedAt = clock.instant();
        lastTick = appliedAt;
        steadyRate = new double[cpus.length];
        SplittableRandom phases = new SplittableRandom(p.seed());
        for (int i = 0; i < cpus.length; i++) {
            steadyRate[i] = p.baseRate() * (p.hotCpus().contains(cpus[i]) ? p.hotFactor() : 1);
            credit[i] = phases.nextDouble();
        }
    }

    public synchronized WorkloadPlan plan() {
        return plan;
    }

    /** Emits the exits due since the last tick; returns how many. */
    public synchronized int tick() {
        Instant now = clock.instant();
        long elapsedNanos = Duration.between(lastTick, now).toNanos();
        lastTick = now;
        if (elapsedNanos <= 0) return 0;
        long caughtUpNanos = Math.min(elapsedNanos, maxCatchUpNanos);
        double dt = caughtUpNanos / 1e9;
        double late = (elapsedNanos - caughtUpNanos) / 1e9;
        Duration sinceApply = Duration.between(appliedAt, now);
        int moveStart = -1;
        int moveWidth = 0;
        if (plan.moving() != null) {
            moveStart = windowStart(sinceApply, plan.moving().period(), cpus.length);
            moveWidth = Math.min(plan.moving().width(), cpus.length);
        }
        int emittedNow = 0;
        for (int i = 0; i < cpus.length; i++) {
            double rate = steadyRate[i];
            if (moveStart >= 0 && Math.floorMod(i - moveStart, cpus.length) < moveWidth) rate = capped(rate * plan.moving().factor());
            for (WorkloadPlan.Burst b : plan.bursts()) {
                if (b.cpus().contains(cpus[i]) && sinceApply.compareTo(b.startAfter()) >= 0
                        && sinceApply.compareTo(b.startAfter().plus(b.duration())) < 0) {
                    rate = capped(rate * b.factor());
                }
            }
            credit[i] += rate * dt;
            skipped += rate * late;
            int due = (int) Math.min(Integer.MAX_VALUE, (long) credit[i]);
            if (due <= 0) continue;
            credit[i] -= due;
            int allowed = Math.min(due, maxExitsPerTick - emittedNow);
            for (int k = 0; k < allowed; k++) exit.accept(cpus[i]);
            emittedNow += allowed;
            lagged += due - allowed;
        }
        emitted += emittedNow;
        return emittedNow;
    }

    /**
     * The first CPU index of a moving window {@code sinceApply} into its sweep: {@code floor(phase × cpus / period)} with
     * {@code phase = sinceApply mod period}, in exact arithmetic: a period of at most {@link WorkloadPlan#MAX_DURATION}
     * times 8192 CPUs stays far inside a {@code long}, and anything beyond would throw rather than wrap.
     */
    static int windowStart(Duration sinceApply, Duration period, int cpuCount) {
        long periodNanos = period.toNanos();
        long phase = Math.floorMod(sinceApply.toNanos(), periodNanos);
        return Math.toIntExact(Math.multiplyExact(phase, (long) cpuCount) / periodNanos);
    }

    private static double capped(double rate) {
        return Math.min(rate, WorkloadPlan.MAX_CPU_RATE);
    }

    /** Exits emitted so far. */
    public synchronized long emitted() {
        return emitted;
    }

    /** Exits that were due but not emitted: a tick hit its limit, or came later than it may catch up. */
    public synchronized long lagged() {
        long late = (long) skipped; // saturates at Long.MAX_VALUE
        return late > Long.MAX_VALUE - lagged ? Long.MAX_VALUE : lagged + late;
    }
}
