package io.tsfleet.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * The samples of one scrape of a Prometheus text exposition ({@code /actuator/prometheus}): {@code name{labels} value}
 * lines, comments skipped. Only what the harness needs: the sum of a metric over all its label sets, or over those
 * whose labels contain a given {@code key="value"}.
 */
public final class PrometheusSamples {
    private record Sample(String name, String labels, double value) {
    }

    private final List<Sample> samples;

    private PrometheusSamples(List<Sample> samples) {
        this.samples = samples;
    }

    public static PrometheusSamples parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space;
            String name;
            String labels = "";
            if (brace >= 0 && brace < line.indexOf(' ')) {
                int close = line.lastIndexOf('}');
                if (close < brace) throw new IllegalArgumentException("unterminated label set: " + line);
                name = line.substring(0, brace);
                labels = line.substring(brace + 1, close);
                space = close + 1;
            } else {
                space = line.indexOf(' ');
                if (space < 0) throw new IllegalArgumentException("sample without a value: " + line);
                name = line.substring(0, space);
            }
            String[] rest = line.substring(space).strip().split("\\s+");
            out.add(new Sample(name, labels, parseValue(rest[0], line)));
        }
        return new PrometheusSamples(out);
    }

    private static double parseValue(String v, String line) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad sample value in: " + line, e);
                }
            }
        };
    }

    /** Whether any sample of the metric exists. */
    public boolean has(String name) {
        for (Sample s : samples) if (s.name.equals(name)) return true;
        return false;
    }

    /** The sum over all label sets of the metric; fails when the metric is absent (a renamed metric must not read as 0). */
    public double sum(String name) {
        return sum(name, null);
    }

    /** The sum over the label sets that contain {@code labelMatch} (e.g. {@code reason="congested"}), or all when null. */
    public double sum(String name, String labelMatch) {
        double total = 0;
        boolean found = false;
        for (Sample s : samples) {
            if (!s.name.equals(name)) continue;
            found = true;
            if (labelMatch == null || containsLabel(s.labels, labelMatch)) total += s.value;
        }
        if (!found) throw new IllegalStateException("metric " + name + " is not exposed");
        return total;
    }

    private static boolean containsLabel(String labels, String match) {
        for (String part : labels.split(",")) if (part.strip().equals(match)) return true;
        return false;
    }
}
