package io.tsfleet.emulator.emulated.workload;

import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The synthetic exit load: every possible CPU exits {@code baseRate} tasks per second, hot CPUs
 * {@code hotFactor} times as many, bursts multiply the rate of their CPUs for a while, and a moving window
 * of hot CPUs sweeps across the machine.
 *
 * Every time a plan names is at most {@link #MAX_DURATION}; the rate a CPU gets from its factors together is capped at
 * {@link #MAX_CPU_RATE} by the generator.
 *
 * @param baseRate  exits per second per CPU (0..1,000,000)
 * @param hotCpus   CPUs that run hot all the time
 * @param hotFactor their rate multiplier (1..10,000)
 * @param bursts    temporary multipliers, relative to when the plan is applied
 * @param moving    a window of hot CPUs that moves over time, or null
 * @param seed      seed of the phases of the generator (same seed, same clock: same exits)
 */
public record WorkloadPlan(double baseRate, CpuSet hotCpus, double hotFactor, List<Burst> bursts, MovingLoad moving, long seed) {

    public static final double MAX_RATE = 1_000_000;
    public static final double MAX_FACTOR = 10_000;
    /** The highest rate of one CPU, whatever its hot, moving and burst factors multiply to: {@code MAX_RATE × MAX_FACTOR}. */
    public static final double MAX_CPU_RATE = MAX_RATE * MAX_FACTOR;
    /**
     * The longest time a plan may name (a burst's start and length, a moving load's period): seven days. It keeps every
     * time the generator computes from a plan far inside a {@code long} of nanoseconds.
     */
    public static final Duration MAX_DURATION = Duration.ofDays(7);
    /** The shortest period of a moving load. */
    public static final Duration MIN_PERIOD = Duration.ofMillis(100);

    public WorkloadPlan {
        if (!(baseRate >= 0 && baseRate <= MAX_RATE)) throw new IllegalArgumentException("baseRate must be within 0.." + (long) MAX_RATE + ": " + baseRate);
        hotCpus = hotCpus == null ? CpuSet.EMPTY : hotCpus;
        if (!(hotFactor >= 1 && hotFactor <= MAX_FACTOR)) throw new IllegalArgumentException("hotFactor must be within 1.." + (long) MAX_FACTOR + ": " + hotFactor);
        bursts = bursts == null ? List.of() : List.copyOf(bursts);
        if (bursts.size() > 1000) throw new IllegalArgumentException("at most 1000 bursts");
    }

    public static WorkloadPlan steady(double baseRate, long seed) {
        return new WorkloadPlan(baseRate, CpuSet.EMPTY, 1, List.of(), null, seed);
    }

    /**
     * A temporary multiplier.
     *
     * @param cpus       the CPUs it affects
     * @param factor     rate multiplier (0..10,000; 0 silences them)
     * @param startAfter when it starts, after the plan is applied
     * @param duration   how long it lasts
     */
    public record Burst(CpuSet cpus, double factor, Duration startAfter, Duration duration) {
        public Burst {
            Objects.requireNonNull(cpus, "burst cpus");
            if (!(factor >= 0 && factor <= MAX_FACTOR)) throw new IllegalArgumentException("burst factor must be within 0.." + (long) MAX_FACTOR);
            if (startAfter == null || startAfter.isNegative() || startAfter.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("burst startAfter must be within 0.." + MAX_DURATION.toMillis() + " ms: " + startAfter);
            }
            if (duration == null || duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("burst duration must be within 1.." + MAX_DURATION.toMillis() + " ms: " + duration);
            }
        }
    }

    /**
     * A window of {@code width} consecutive possible CPUs at {@code factor} times the base rate that moves
     * across all possible CPUs once per {@code period}.
     */
    public record MovingLoad(int width, double factor, Duration period) {
        public MovingLoad {
            if (width < 1) throw new IllegalArgumentException("moving width must be >= 1");
            Objects.requireNonNull(period, "moving period");
            if (!(factor >= 1 && factor <= MAX_FACTOR)) throw new IllegalArgumentException("moving factor must be within 1.." + (long) MAX_FACTOR);
            if (period == null || period.compareTo(MIN_PERIOD) < 0 || period.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("moving period must be within " + MIN_PERIOD.toMillis() + ".." + MAX_DURATION.toMillis() + " ms: " + period);
            }
        }
    }
}
