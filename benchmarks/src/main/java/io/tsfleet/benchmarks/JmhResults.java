package io.tsfleet.benchmarks;

import io.tsfleet.benchmarks.e2e.SummaryLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a JMH JSON result file ({@code -rf json -rff <file>}) into the harness's {@code RESULT} lines: one per
 * benchmark (score, the range of its iterations and JMH's 99.9 % confidence interval) and one per GC-profiler allocation figure
 * ({@code gc.alloc.rate.norm}, bytes per operation; with {@code @OperationsPerInvocation} an operation is one record).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.tsfleet.benchmarks.JmhResults jmh.json}
 */
public final class JmhResults {
    private JmhResults() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JmhResults <jmh-result.json>");
            System.exit(2);
        }
        for (SummaryLine l : lines(Files.readString(Path.of(args[0])))) System.out.println(l.format());
    }

    public static List<SummaryLine> lines(String json) {
        List<SummaryLine> out = new ArrayList<>();
        for (JsonNode run : JsonMapper.builder().build().readTree(json)) {
            String bench = run.get("benchmark").asString();
            String name = "jmh." + bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
            JsonNode params = run.get("params");
            if (params != null) {
                StringBuilder p = new StringBuilder();
                params.properties().forEach(e -> p.append('.').append(e.getKey()).append(e.getValue().asString()));
                name += p;
            }
            JsonNode primary = run.get("primaryMetric");
            out.add(line(name, primary).with("mode", run.get("mode").asString()).with("forks", run.get("forks").asInt()));
            JsonNode secondary = run.get("secondaryMetrics");
            if (secondary != null && secondary.has("gc.alloc.rate.norm")) out.add(line(name + ".alloc", secondary.get("gc.alloc.rate.norm")));
        }
        return out;
    }

    private static SummaryLine line(String name, JsonNode metric) {
        double score = number(metric.get("score"));
        String unit = metric.get("scoreUnit").asString().replace(' ', '_');
        SummaryLine l = new SummaryLine(name, score, unit, Double.NaN);
        JsonNode pct = metric.get("scorePercentiles");
        if (pct != null && pct.has("0.0") && pct.has("100.0")) {
            l = l.with("range", String.format(Locale.ROOT, "%.3f..%.3f", number(pct.get("0.0")), number(pct.get("100.0"))));
        }
        JsonNode ci = metric.get("scoreConfidence");
        if (ci != null && ci.size() == 2 && !Double.isNaN(number(ci.get(0)))) {
            l = l.with("ci999", String.format(Locale.ROOT, "%.3f..%.3f", number(ci.get(0)), number(ci.get(1))));
        }
        return l;
    }

    /** JMH writes NaN and infinities as strings. */
    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.parseDouble(n.asString());
    }
}
