package io.tsfleet.benchmarks;

import io.tsfleet.benchmarks.e2e.SummaryLine;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JmhResultsTest {

    @Test
    void jmhJsonBecomesResultLinesWithRangesAndAllocation() {
        String json = """
                [ { "benchmark" : "io.tsfleet.benchmarks.PlannerBenchmark.fullPlan", "mode" : "avgt", "forks" : 1,
                    "params" : { "cpus" : "8192", "replicas" : "256" },
                    "primaryMetric" : { "score" : 7.5, "scoreError" : 0.5, "scoreConfidence" : [ 7.0, 8.0 ],
                                        "scorePercentiles" : { "0.0" : 6.9, "100.0" : 8.2 }, "scoreUnit" : "ms/op" } },
                  { "benchmark" : "io.tsfleet.benchmarks.CodecBenchmark.decodeToObjects", "mode" : "thrpt", "forks" : 1,
                    "primaryMetric" : { "score" : 870331.5, "scoreError" : "NaN", "scoreConfidence" : [ "NaN", "NaN" ],
                                        "scorePercentiles" : { "0.0" : 870331.5, "100.0" : 870331.5 }, "scoreUnit" : "ops/s" },
                    "secondaryMetrics" : { "gc.alloc.rate.norm" : { "score" : 3472.07, "scoreUnit" : "B/op" } } } ]
                """;
        List<SummaryLine> lines = JmhResults.lines(json);
        assertThat(lines).extracting(SummaryLine::name).containsExactly("jmh.PlannerBenchmark.fullPlan.cpus8192.replicas256",
                "jmh.CodecBenchmark.decodeToObjects", "jmh.CodecBenchmark.decodeToObjects.alloc");
        assertThat(lines.get(0).value()).isEqualTo(7.5);
        assertThat(lines.get(0).unit()).isEqualTo("ms/op");
        assertThat(lines.get(0).tags()).containsEntry("range", "6.900..8.200").containsEntry("ci999", "7.000..8.000");
        assertThat(lines.get(1).tags()).doesNotContainKey("ci999");
        assertThat(lines.get(2).value()).isEqualTo(3472.07);
        assertThat(SummaryLine.parse(lines.get(2).format()).unit()).isEqualTo("B/op");
    }
}
