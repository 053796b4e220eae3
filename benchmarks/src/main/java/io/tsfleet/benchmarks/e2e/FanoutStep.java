package io.tsfleet.benchmarks.e2e;

import java.util.Locale;

/**
 * One window of the fan-out measurement at one offered exit rate.
 *
 * @param offeredPerSecond   exits per second asked of the emulator's workload (all CPUs)
 * @param seconds            length of the window (between the listeners' two counter readings)
 * @param exitsPerSecond     exits the emulator generated ({@code tsfleet_broker_exits_total})
 * @param sentPerSecond      event copies the broker queued to listeners ({@code tsfleet_broker_events_sent_total})
 * @param deliveredPerSecond TASKSTATS events the listeners received (frames counted on their sockets)
 * @param dropped            events the broker dropped in the window: {@code rcvbuf_full} + {@code congested}
 * @param lagged             exits the generator could not emit in time ({@code tsfleet_broker_workload_lagged_exits_total})
 * @param overruns           in-band ENOBUFS reports the listeners received in the window
 * @param cores              CPU used in the window, or null when not measured
 * @param scrapeMillis       the slower of the two scrapes of the emulator's counters: the emulator's figures (exits, sent,
 *                           dropped) are placed in time only to within this (a saturated emulator answers late), the
 *                           listeners' count is not affected
 */
public record FanoutStep(double offeredPerSecond, double seconds, double exitsPerSecond, double sentPerSecond, double deliveredPerSecond,
                         double dropped, double lagged, long overruns, Cores cores, double scrapeMillis) {

    /** How far below the offered rate the generator may stay before the source counts as saturated. */
    public static final double SOURCE_TOLERANCE = 0.10;

    /**
     * Cores used during the window (CPU seconds over the window's seconds).
     *
     * @param emulator  the emulator process
     * @param listeners the listeners' JVM
     * @param machine   the whole machine, other users included
     */
    public record Cores(double emulator, double listeners, double machine) {
        public String describe() {
            return String.format(Locale.ROOT, "cores: emulator %.2f, listeners %.2f, machine %.2f", emulator, listeners, machine);
        }
    }

    /** Nothing dropped by the broker and no overrun reported to a listener. */
    public boolean lossFree() {
        return dropped == 0 && overruns == 0;
    }

    /** The emulator could not generate what was offered. */
    public boolean sourceLimited() {
        return lagged > 0 || exitsPerSecond < (1 - SOURCE_TOLERANCE) * offeredPerSecond;
    }

    public String describe() {
        return String.format(Locale.ROOT, "offered %,.0f exits/s  generated %,.0f exits/s  sent %,.0f/s  delivered %,.0f events/s  dropped %,.0f  overruns %d  lagged %,.0f  over %.1fs",
                offeredPerSecond, exitsPerSecond, sentPerSecond, deliveredPerSecond, dropped, overruns, lagged, seconds)
                + String.format(Locale.ROOT, " (scrape %.0f ms)", scrapeMillis)
                + (cores == null ? "" : "; " + cores.describe());
    }
}
