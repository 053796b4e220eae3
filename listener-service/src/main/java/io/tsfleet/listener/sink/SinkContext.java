package io.tsfleet.listener.sink;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * What a sink may need to know: the replica id (it goes into every record), the sink's own options (those of
 * {@code tsfleet.listener.sink-options.*} that apply to this sink), and where a sink that confirms its writes later
 * reports their outcomes. Options are typed when read: sizes like {@code 512MB}, durations like {@code 5s}.
 */
public record SinkContext(String replicaId, Map<String, String> options, SinkOutcomes outcomes) {
    public SinkContext {
        options = Map.copyOf(options);
        if (outcomes == null) outcomes = SinkOutcomes.IGNORED;
    }

    public SinkContext(String replicaId, Map<String, String> options) {
        this(replicaId, options, SinkOutcomes.IGNORED);
    }

    /** A numeric option, or the default; a non-numeric or out-of-range value is an error. */
    public long longOption(String name, long defaultValue, long min) {
        String v = options.get(name);
        if (v == null) return defaultValue;
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sink option " + name + "='" + v + "' is not a number");
        }
        if (n < min) throw new IllegalArgumentException("sink option " + name + "=" + n + " is below " + min);
        return n;
    }

    /** A size in bytes ({@code 512MB}, {@code 64KB}, {@code 4096}), or the default; below {@code min} is an error. */
    public long sizeOption(String name, long defaultValue, long min) {
        String v = options.get(name);
        if (v == null) return defaultValue;
        long n;
        try {
            n = DataSize.parse(v.trim()).toBytes();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sink option " + name + "='" + v + "' is not a size (like 512MB, 64KB or 4096)");
        }
        if (n < min) throw new IllegalArgumentException("sink option " + name + "=" + v + " is below " + min + " bytes");
        return n;
    }

    /** A duration ({@code 5s}, {@code 250ms}, {@code PT1M}; a bare number is milliseconds), or the default. */
    public Duration durationOption(String name, Duration defaultValue, Duration min) {
        String v = options.get(name);
        if (v == null) return defaultValue;
        Duration d;
        try {
            d = DurationStyle.detectAndParse(v.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sink option " + name + "='" + v + "' is not a duration (like 5s, 250ms or PT1M)");
        }
        if (d.compareTo(min) < 0) throw new IllegalArgumentException("sink option " + name + "=" + v + " is below " + min);
        return d;
    }

    /** {@code true} or {@code false} (any case), or the default. */
    public boolean booleanOption(String name, boolean defaultValue) {
        String v = options.get(name);
        if (v == null) return defaultValue;
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("sink option " + name + "='" + v + "' is not true or false");
        };
    }

    /** A string option, or the default. */
    public String stringOption(String name, String defaultValue) {
        String v = options.get(name);
        return v == null ? defaultValue : v.trim();
    }
}
