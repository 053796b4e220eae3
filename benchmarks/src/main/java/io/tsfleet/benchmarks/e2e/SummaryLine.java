package io.tsfleet.benchmarks.e2e;

import java.util.Locale;

/**
 * One measurement as a line a script can parse:
 * {@code RESULT name=<name> value=<v> unit=<unit> baseline=<b> ratio=<value/baseline>} (baseline and ratio are
 * {@code -} when the measurement has none).
 */
public record SummaryLine(String name, double value, String unit, double baseline) {

    public static SummaryLine of(String name, double value, String unit) {
        return new SummaryLine(name, value, unit, Double.NaN);
    }

    public double ratio() {
        return Double.isNaN(baseline) || baseline == 0 ? Double.NaN : value / baseline;
    }

    public String format() {
        return String.format(Locale.ROOT, "RESULT name=%s value=%.1f unit=%s baseline=%s ratio=%s", name, value, unit,
                Double.isNaN(baseline) ? "-" : String.format(Locale.ROOT, "%.1f", baseline),
                Double.isNaN(ratio()) ? "-" : String.format(Locale.ROOT, "%.3f", ratio()));
    }

    /** Parses a line written by {@link #format()}. */
    public static SummaryLine parse(String line) {
        if (!line.startsWith("RESULT ")) throw new IllegalArgumentException("not a RESULT line: " + line);
        String name = null;
        String unit = null;
        double value = Double.NaN;
        double baseline = Double.NaN;
        for (String kv : line.substring(7).trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("bad field " + kv + " in " + line);
            String k = kv.substring(0, eq);
            String v = kv.substring(eq + 1);
            switch (k) {
                case "name" -> name = v;
                case "value" -> value = Double.parseDouble(v);
                case "unit" -> unit = v;
                case "baseline" -> baseline = v.equals("-") ? Double.NaN : Double.parseDouble(v);
                case "ratio" -> { }
                default -> throw new IllegalArgumentException("unknown field " + k + " in " + line);
            }
        }
        if (name == null || unit == null || Double.isNaN(value)) throw new IllegalArgumentException("incomplete RESULT line: " + line);
        return new SummaryLine(name, value, unit, baseline);
    }
}
