package io.tsfleet.listener.sink;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a sink may need to know: the replica id (it goes into every record), the sink's own options (those of
 * {@code tsfleet.listener.sink-options.*} that apply to this sink), and where a sink that confirms its writes later
 * reports their outcomes. Options are typed when read: sizes like {@code 512MB}, durations like {@code 5s}.
 */
public record SinkContext(String replicaId, Map<String, String> options, SinkOutcomes outcomes) {
    /** A number and an optional unit, as Spring Boot writes sizes and simple durations ({@code 512MB}, {@code 5s}). */
    private static final Pattern AMOUNT = Pattern.compile("^([+]?\\d+)\\s*([a-zA-Z]{0,2})$");

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
            n = parseSize(v.trim());
        } catch (IllegalArgumentException | ArithmeticException e) {
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
            d = parseDuration(v.trim());
        } catch (IllegalArgumentException | ArithmeticException | DateTimeParseException e) {
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

    /**
     * Bytes of a size as Spring Boot's {@code DataSize} reads it: a whole number and a unit {@code B}, {@code KB},
     * {@code MB}, {@code GB}, {@code TB} (multiples of 1024; any case), none meaning bytes. Plain Java: the sink
     * package stays free of Spring.
     */
    static long parseSize(String v) {
        Matcher m = AMOUNT.matcher(v);
        if (!m.matches()) throw new IllegalArgumentException("not a size: " + v);
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "", "B" -> 0;
            case "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            case "TB" -> 40;
            default -> throw new IllegalArgumentException("unknown size unit in " + v);
        };
        if (n > (Long.MAX_VALUE >> shift)) throw new ArithmeticException("size too large: " + v);
        return n << shift;
    }

    /**
     * A duration as Spring Boot's {@code DurationStyle} reads it: a whole number and a unit {@code ns}, {@code us},
     * {@code ms}, {@code s}, {@code m}, {@code h}, {@code d} (none meaning milliseconds), or ISO-8601 ({@code PT1M}).
     */
    static Duration parseDuration(String v) {
        if (v.length() > 1 && (v.charAt(0) == 'P' || v.charAt(0) == 'p' || (v.charAt(0) == '-' || v.charAt(0) == '+') && v.length() > 2
                && (v.charAt(1) == 'P' || v.charAt(1) == 'p'))) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        Matcher m = AMOUNT.matcher(v);
        if (!m.matches()) throw new IllegalArgumentException("not a duration: " + v);
        long n = Long.parseLong(m.group(1));
        ChronoUnit unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "ms" -> ChronoUnit.MILLIS;
            case "ns" -> ChronoUnit.NANOS;
            case "us" -> ChronoUnit.MICROS;
            case "s" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            case "d" -> ChronoUnit.DAYS;
            default -> throw new IllegalArgumentException("unknown duration unit in " + v);
        };
        return Duration.of(n, unit);
    }

    /** A string option, or the default. */
    public String stringOption(String name, String defaultValue) {
        String v = options.get(name);
        return v == null ? defaultValue : v.trim();
    }
}
