package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.util.Locale;

/**
 * One measurement window at one offered rate: what the emulator generated, what the replicas delivered, and what was
 * lost, over {@code seconds}.
 *
 * @param offeredPerSecond   the workload asked of the emulator (exits per second, all CPUs)
 * @param seconds            length of the window
 * @param generatedPerSecond exits the emulator actually produced
 * @param deliveredPerSecond records the replicas kept
 * @param lost               records lost in the window (replicas' sequence gaps)
 * @param dropped            events the broker dropped in the window (full or congested queues)
 * @param lagged             exits the emulator's generator could not emit in time (its own saturation, not a loss)
 * @param backlogGrowth      exits generated in the window but not (yet) delivered: {@code generated - delivered - lost}
 * @param bytesPerWrite      the broker's sent bytes per socket write in the window (its batching), NaN when it wrote nothing
 * @param cpu                the cores each part used during the window, or null when not measured
 */
public record RateTrial(double offeredPerSecond, double seconds, double generatedPerSecond, double deliveredPerSecond,
                        double lost, double dropped, double lagged, double backlogGrowth, double bytesPerWrite, CpuShare cpu) {

    /**
     * Cores used during the window (CPU seconds / window seconds).
     *
     * @param emulator the emulator process
     * @param replicas all replica processes together
     * @param machine  the whole machine, other users included
     */
    public record CpuShare(double emulator, double replicas, double machine) {
        public String describe() {
            return String.format(Locale.ROOT, "cores: emulator %.2f, replicas %.2f, machine %.2f", emulator, replicas, machine);
        }
    }

    /** How far the delivered rate may stay below the generated one (counting and scrape skew). */
    public static final double TOLERANCE = 0.05;
    /** How far below the offered rate the generator may stay before the source counts as saturated. */
    public static final double SOURCE_TOLERANCE = 0.10;

    /** The outcome of a trial. */
    public enum Verdict {
        /** Everything offered was generated and delivered, nothing lost. */
        OK,
        /** Nothing lost and the replicas kept up, but the emulator could not generate the offered rate. */
        SOURCE_LIMITED,
        /** Nothing lost yet, but the replicas fell behind (the broker's queues were growing). */
        BACKLOG,
        /** Records were lost. */
        LOSS
    }

    public static RateTrial between(double offeredPerSecond, FleetCounters start, FleetCounters end) {
        FleetCounters d = end.minus(start);
        double s = d.seconds();
        if (!(s > 0)) throw new IllegalArgumentException("a window needs a positive length");
        return new RateTrial(offeredPerSecond, s, d.exits() / s, d.records() / s, d.lost(), d.brokerDropped(), d.generatorLagged(),
                d.exits() - d.records() - d.lost(), d.sentWrites() > 0 ? d.sentBytes() / d.sentWrites() : Double.NaN, null);
    }

    public RateTrial withCpu(CpuShare share) {
        return new RateTrial(offeredPerSecond, seconds, generatedPerSecond, deliveredPerSecond, lost, dropped, lagged, backlogGrowth, bytesPerWrite, share);
    }

    public Verdict verdict() {
        if (lost > 0 || dropped > 0) return Verdict.LOSS;
        double generated = generatedPerSecond * seconds;
        if (backlogGrowth > Math.max(TOLERANCE * generated, 1000)) return Verdict.BACKLOG;
        if (lagged > 0 || generatedPerSecond < (1 - SOURCE_TOLERANCE) * offeredPerSecond) return Verdict.SOURCE_LIMITED;
        return Verdict.OK;
    }

    /**
     * The rate this trial shows the fleet sustains: what it delivered, but never more than was offered. A generator
     * that was starved of CPU before the window catches up inside it (up to its per-tick limit) and can deliver a
     * burst above the offered rate; that burst is not a sustained rate.
     */
    public double sustainedPerSecond() {
        return Math.min(offeredPerSecond, deliveredPerSecond);
    }

    /** Nothing lost and the replicas kept up. */
    public boolean lossFree() {
        Verdict v = verdict();
        return v == Verdict.OK || v == Verdict.SOURCE_LIMITED;
    }

    public String describe() {
        return String.format(Locale.ROOT, "offered %,.0f/s  generated %,.0f/s  delivered %,.0f/s  lost %,.0f  dropped %,.0f  lagged %,.0f  backlog %+,.0f  over %.1fs: %s",
                offeredPerSecond, generatedPerSecond, deliveredPerSecond, lost, dropped, lagged, backlogGrowth, seconds, verdict())
                + (Double.isNaN(bytesPerWrite) ? "" : String.format(Locale.ROOT, "; %.1f events/write", bytesPerWrite / TaskstatsProtocol.EVENT_LENGTH))
                + (cpu == null ? "" : "; " + cpu.describe());
    }
}
