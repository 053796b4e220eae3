package io.tsfleet.benchmarks.e2e;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Several measurements of one quantity: median, min and max (a range, not a single number). */
public record Spread(List<Double> values) {
    public Spread {
        if (values.isEmpty()) throw new IllegalArgumentException("a spread needs at least one value");
        values = List.copyOf(values);
    }

    public double median() {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public double min() {
        return Collections.min(values);
    }

    public double max() {
        return Collections.max(values);
    }

    /** {@code min..max} as a token for a RESULT line. */
    public String range() {
        return String.format(Locale.ROOT, "%.0f..%.0f", min(), max());
    }

    /** {@code min..max} with one decimal. */
    public String format1() {
        return String.format(Locale.ROOT, "%.1f..%.1f", min(), max());
    }

    /** {@code min..max} with two decimals. */
    public String format2() {
        return String.format(Locale.ROOT, "%.2f..%.2f", min(), max());
    }
}
