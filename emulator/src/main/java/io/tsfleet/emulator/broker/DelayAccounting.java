package io.tsfleet.emulator.broker;

/**
 * Whether the kernel behind the broker fills the delay-accounting fields of its taskstats records (CPU wait, block
 * I/O, swap-in, reclaim, thrashing, compaction, write-protect copy and IRQ delays). With delay accounting off every
 * one of them is zero.
 *
 * @param state  what was found
 * @param source where it was read ({@code /proc/sys/kernel/task_delayacct}, or {@code emulated})
 * @param detail a sentence for logs and {@code /actuator/info}
 */
public record DelayAccounting(State state, String source, String detail) {

    /** How to turn delay accounting on, for logs, {@code /actuator/info} and the docs. */
    public static final String REMEDY = "run 'sysctl -w kernel.task_delayacct=1' on the node (until the next boot; or the chart's "
            + "kernelBackend.enableDelayAccounting=true), or boot the kernel with the 'delayacct' parameter";

    /** The emulated kernel generates every delay field: it has no switch to model. */
    public static final DelayAccounting EMULATED = new DelayAccounting(State.ENABLED, "emulated",
            "the emulated kernel always fills the delay-accounting fields");

    public enum State {
        /** The switch reads 1: delays are measured. */
        ENABLED,
        /** The switch reads 0: every delay field is zero. */
        DISABLED,
        /** The switch could not be read or holds something else than 0 or 1 (see the detail). */
        UNKNOWN
    }

    /** The gauge's value: 1 enabled, 0 disabled, NaN unknown (no alert on a value that was not read). */
    public double gaugeValue() {
        return switch (state) {
            case ENABLED -> 1;
            case DISABLED -> 0;
            case UNKNOWN -> Double.NaN;
        };
    }

    public boolean enabled() {
        return state == State.ENABLED;
    }
}
