package io.tsfleet.listener.engine;

import java.util.Locale;

/**
 * What the pipeline in front of one sink does besides writing (the options every sink has, handled by the pipeline,
 * not by the sink).
 *
 * @param whenSlow      what a reader does when the sink's queue is full
 * @param processesOnly only records of a whole process ({@code RecordScope.wholeProcess()}) go to the sink; the others
 *                      are counted as filtered (not loss)
 */
public record SinkPolicy(WhenSlow whenSlow, boolean processesOnly) {
    /** Every record, with backpressure: the sink as it was before there were several. */
    public static final SinkPolicy DEFAULT = new SinkPolicy(WhenSlow.BLOCK, false);

    public SinkPolicy {
        if (whenSlow == null) throw new IllegalArgumentException("whenSlow is null");
    }

    /** The option {@code when-slow}. */
    public enum WhenSlow {
        /** The readers wait for the sink (they stop reading the broker: its overflow counts the loss). */
        BLOCK,
        /** Records the sink cannot queue are dropped at this sink (counted per CPU as loss); the other sinks go on. */
        DROP;

        /** {@code block} or {@code drop} (any case); anything else is an error that says what is allowed. */
        public static WhenSlow parse(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "block" -> BLOCK;
                case "drop" -> DROP;
                default -> throw new IllegalArgumentException("sink option when-slow='" + value + "' is not block or drop");
            };
        }

        public String optionValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
