package io.tsfleet.emulator.broker;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * At most one warning per key (a reason of refusal or close) per interval: the others are only counted, and the next
 * warning that goes out says how many were suppressed since the previous one. A flood of refused connections thus costs
 * one log line per reason per interval instead of one per connection. Thread-safe.
 */
public final class ThrottledWarnings {
    private final Clock clock;
    private final long intervalMillis;
    private final BiConsumer<String, Throwable> sink;
    private final Map<String, Window> windows = new HashMap<>();

    private static final class Window {
        long lastLoggedAt;
        long suppressed;
    }

    /** @param sink receives each warning that goes out, with its cause (null when there is none) */
    public ThrottledWarnings(Clock clock, java.time.Duration interval, BiConsumer<String, Throwable> sink) {
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
        this.sink = sink;
    }

    /** Logs {@code message} unless {@code key} was logged less than the interval ago; returns whether it was logged. */
    public boolean warn(String key, String message) {
        return warn(key, message, null);
    }

    /** {@link #warn(String, String)} with the cause that goes out with the warning (its stack trace, once per interval). */
    public boolean warn(String key, String message, Throwable cause) {
        long now = clock.millis();
        long suppressed;
        synchronized (windows) {
            Window w = windows.get(key);
            if (w != null && now - w.lastLoggedAt < intervalMillis) {
                w.suppressed++;
                return false;
            }
            if (w == null) {
                w = new Window();
                windows.put(key, w);
            }
            suppressed = w.suppressed;
            w.suppressed = 0;
            w.lastLoggedAt = now;
        }
        sink.accept(suppressed == 0 ? message
                : message + " (" + suppressed + " more of this kind suppressed since the previous warning)", cause);
        return true;
    }
}
