package io.tsfleet.benchmarks.e2e;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One measurement as a line a script can parse:
 * {@code RESULT name=<name> value=<v> unit=<unit> baseline=<b> ratio=<value/baseline> [key=value ...]} (baseline and
 * ratio are {@code -} when the measurement has none). The optional trailing fields carry context (the limiting factor,
 * the loss, the baseline's range); a script that only knows the first five fields can ignore them.
 */
public record SummaryLine(String name, double value, String unit, double baseline, Map<String, String> tags) {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:/%+,<>-]+");

    public SummaryLine {
        requireToken("name", name);
        requireToken("unit", unit);
        if (Double.isNaN(value) || Double.isInfinite(value)) throw new IllegalArgumentException("value of " + name + " must be a finite number");
        tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        for (Map.Entry<String, String> e : tags.entrySet()) {
            requireToken("tag key", e.getKey());
            requireToken("tag " + e.getKey(), e.getValue());
            if (RESERVED.contains(e.getKey())) throw new IllegalArgumentException("tag key " + e.getKey() + " is reserved");
        }
    }

    private static final java.util.Set<String> RESERVED = java.util.Set.of("name", "value", "unit", "baseline", "ratio");

    public SummaryLine(String name, double value, String unit, double baseline) {
        this(name, value, unit, baseline, Map.of());
    }

    public static SummaryLine of(String name, double value, String unit) {
        return new SummaryLine(name, value, unit, Double.NaN);
    }

    /** The same line with one more context field. */
    public SummaryLine with(String key, Object tagValue) {
        Map<String, String> t = new LinkedHashMap<>(tags);
        t.put(key, String.valueOf(tagValue));
        return new SummaryLine(name, value, unit, baseline, t);
    }

    public double ratio() {
        return Double.isNaN(baseline) || baseline == 0 ? Double.NaN : value / baseline;
    }

    public String format() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "RESULT name=%s value=%s unit=%s baseline=%s ratio=%s", name, number(value), unit,
                Double.isNaN(baseline) ? "-" : String.format(Locale.ROOT, "%.1f", baseline),
                Double.isNaN(ratio()) ? "-" : String.format(Locale.ROOT, "%.3f", ratio())));
        tags.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.toString();
    }

    /** One decimal for large values, three for small ones (a loss of 0.07 % must not print as 0.1). */
    private static String number(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3f", v);
    }

    /** Parses a line written by {@link #format()}. */
    public static SummaryLine parse(String line) {
        if (!line.startsWith("RESULT ")) throw new IllegalArgumentException("not a RESULT line: " + line);
        String name = null;
        String unit = null;
        double value = Double.NaN;
        double baseline = Double.NaN;
        Map<String, String> tags = new LinkedHashMap<>();
        for (String kv : line.substring(7).trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("bad field " + kv + " in " + line);
            String k = kv.substring(0, eq);
            String v = kv.substring(eq + 1);
            try {
                switch (k) {
                    case "name" -> name = v;
                    case "value" -> value = Double.parseDouble(v);
                    case "unit" -> unit = v;
                    case "baseline" -> baseline = v.equals("-") ? Double.NaN : Double.parseDouble(v);
                    case "ratio" -> { }
                    default -> tags.put(k, v);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("field " + k + " is not a number in " + line, e);
            }
        }
        if (name == null || unit == null || Double.isNaN(value)) throw new IllegalArgumentException("incomplete RESULT line: " + line);
        return new SummaryLine(name, value, unit, baseline, tags);
    }

    private static void requireToken(String what, String s) {
        if (s == null || !TOKEN.matcher(s).matches()) throw new IllegalArgumentException(what + " must be a non-empty token without spaces or '=': " + s);
    }
}
