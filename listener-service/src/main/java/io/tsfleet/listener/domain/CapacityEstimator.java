package io.tsfleet.listener.domain;

/**
 * Estimates the record rate this replica sustains without loss, and how loaded it is, from the busy time of its
 * two stages, measured per window:
 * <ul>
 *   <li>the <em>receive stage</em>: the per-CPU readers decoding and accounting (busy time summed over readers,
 *       spread over {@code parallelism} processors);</li>
 *   <li>the <em>sink stage</em>: the single writer that encodes and writes records.</li>
 * </ul>
 * A stage's service rate is records / busy seconds: what it would do if it were busy all the time. The capacity
 * sample of a window is the smaller of the two; in a window with loss it is also at most the rate actually received
 * in that window (the replica demonstrably did not sustain more, whatever the cause: CPU, sink or a receive buffer
 * too small for the bursts). Samples are smoothed with an exponentially weighted moving average. The load ratio is
 * the busier stage's utilisation (busy time / window), at most 1.
 */
public final class CapacityEstimator {
    private final double alpha;
    private final int parallelism;
    private double capacity;
    private boolean known;

    public CapacityEstimator(double alpha, int parallelism) {
        if (!(alpha > 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in (0, 1]: " + alpha);
        if (parallelism < 1) throw new IllegalArgumentException("parallelism < 1");
        this.alpha = alpha;
        this.parallelism = parallelism;
    }

    /** One measurement window. */
    public record Window(double seconds, long received, long lost, long written, long sinkBusyNanos, long receiveBusyNanos) {
    }

    /**
     * @param capacityPerSecond records per second sustainable without loss; 0 while unknown
     * @param loadRatio         utilisation of the busier stage in the last window (0..1)
     */
    public record Estimate(double capacityPerSecond, double loadRatio) {
    }

    public Estimate update(Window w) {
        if (w.seconds() <= 0) return new Estimate(known ? capacity : 0, 0);
        double sinkUtil = w.sinkBusyNanos() / 1e9 / w.seconds();
        double receiveUtil = w.receiveBusyNanos() / 1e9 / (w.seconds() * parallelism);
        double load = Math.min(1.0, Math.max(sinkUtil, receiveUtil));

        double sample = Double.POSITIVE_INFINITY;
        if (w.written() > 0 && w.sinkBusyNanos() > 0) sample = Math.min(sample, w.written() / (w.sinkBusyNanos() / 1e9));
        if (w.received() > 0 && w.receiveBusyNanos() > 0) {
            sample = Math.min(sample, w.received() / (w.receiveBusyNanos() / 1e9 / parallelism));
        }
        if (w.lost() > 0 && w.received() > 0) sample = Math.min(sample, w.received() / w.seconds());
        if (!Double.isInfinite(sample)) {
            capacity = known ? alpha * sample + (1 - alpha) * capacity : sample;
            known = true;
        }
        return new Estimate(known ? capacity : 0, load);
    }
}
