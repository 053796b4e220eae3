package io.tsfleet.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsfleet.helm.support.HelmChart;
import io.tsfleet.helm.support.Manifests;
import io.tsfleet.helm.support.MetricCatalog;
import io.tsfleet.helm.support.ProjectPaths;
import io.tsfleet.helm.support.PromqlMetricNames;
import io.tsfleet.helm.support.Promtool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The recording rules and alerts: promtool checks and unit tests, and the standalone copy equals the chart's. */
class PrometheusRulesTest {
    private static final Path RULES = ProjectPaths.deployPrometheus().resolve("rules.yaml");
    private static final Path TESTS = ProjectPaths.deployPrometheus().resolve("rules_test.yaml");

    @Test
    void theStandaloneRuleFileIsTheChartsRenderingWithTheStandaloneValues() {
        JsonNode chart = HelmChart.project().render().values(ProjectPaths.deployPrometheus().resolve("standalone-values.yaml"))
                .manifests().ofKind("PrometheusRule").getFirst().path("spec");

        assertThat(Manifests.readYaml(RULES))
                .as("deploy/prometheus/rules.yaml is stale: regenerate it as deploy/prometheus/README.md says")
                .isEqualTo(chart);
    }

    @Test
    void promtoolAcceptsTheStandaloneRules() {
        Promtool.Result check = Promtool.checkRules(RULES);
        assertThat(check.ok()).as(check.output()).isTrue();
        assertThat(check.output()).contains("SUCCESS");
    }

    @Test
    void promtoolAcceptsTheRulesOfEveryChartValueSet(@TempDir Path dir) throws IOException {
        for (String valueSet : List.of("monitoring-hpa", "kernel-node")) {
            JsonNode spec = ValueSets.render(valueSet).ofKind("PrometheusRule").getFirst().path("spec");
            Path file = dir.resolve(valueSet + ".yaml");
            Manifests.YAML.writeValue(file.toFile(), spec);

            Promtool.Result check = Promtool.checkRules(file);
            assertThat(check.ok()).as("%s: %s", valueSet, check.output()).isTrue();
        }
    }

    @Test
    void theAlertUnitTestsPass() {
        Promtool.Result test = Promtool.testRules(TESTS);

        assertThat(test.ok()).as(test.output()).isTrue();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertIsTestedFiringAndQuiet() {
        Map<String, int[]> cases = new TreeMap<>();
        alerts().forEach(a -> cases.put(a.path("alert").asText(), new int[2]));
        for (JsonNode test : Manifests.readYaml(TESTS).path("tests")) {
            for (JsonNode alertTest : test.path("alert_rule_test")) {
                int[] counts = cases.get(alertTest.path("alertname").asText());
                assertThat(counts).as("a test of an unknown alert %s", alertTest.path("alertname").asText()).isNotNull();
                counts[alertTest.path("exp_alerts").isEmpty() ? 1 : 0]++;
            }
        }

        assertThat(cases).isNotEmpty().allSatisfy((alert, counts) -> {
            assertThat(counts[0]).as("cases where %s fires", alert).isPositive();
            assertThat(counts[1]).as("cases where %s stays quiet", alert).isPositive();
        });
    }

    @Test
    void theIssuesAlertsAreAllThere() {
        assertThat(alerts()).extracting(a -> a.path("alert").asText()).contains(
                "TsfleetCpusUncovered", "TsfleetLossRateHigh", "TsfleetSequenceGaps", "TsfleetRebalanceStorm",
                "TsfleetHandoverStuck", "TsfleetImbalanceAboveFloor", "TsfleetHotCpuBeyondReplicaCapacity",
                "TsfleetFleetSaturated", "TsfleetCoordinatorDown", "TsfleetNoLeader", "TsfleetGenerationStuck",
                // issue #20: a sink failing, dropping, lagging, blocking the readers
                "TsfleetSinkFailing", "TsfleetSinkDropping", "TsfleetSinkLagging", "TsfleetSinkBackpressure");
    }

    @Test
    void everyAlertHasARunbookEntryWhereItsRunbookUrlPoints() throws IOException {
        // runbook_url is <runbookUrl>#<alert in lower case>: the anchor of a "### <alert>" heading of operations.md
        String operations = Files.readString(ProjectPaths.root().resolve("docs/operations.md"));
        assertThat(alerts()).allSatisfy(a -> assertThat(operations).as(a.path("alert").asText())
                .containsPattern("(?m)^### " + a.path("alert").asText() + "$"));
    }

    @Test
    void everyAlertHasASeveritySummaryAndDescription() {
        assertThat(alerts()).allSatisfy(a -> {
            assertThat(a.at("/labels/severity").asText()).as(a.path("alert").asText()).isIn("critical", "warning");
            assertThat(a.at("/annotations/summary").asText()).isNotBlank();
            assertThat(a.at("/annotations/description").asText()).isNotBlank();
        });
    }

    @Test
    void rulesNameOnlyCatalogueMetricsAndTheirOwnRecordings() {
        Set<String> recorded = new TreeSet<>();
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : Manifests.readYaml(RULES).path("groups")) {
            group.path("rules").forEach(rules::add);
        }
        rules.stream().filter(r -> r.has("record")).forEach(r -> recorded.add(r.path("record").asText()));
        Set<String> unknown = new TreeSet<>();
        for (JsonNode rule : rules) {
            for (String name : PromqlMetricNames.of(rule.path("expr").asText())) {
                boolean known = MetricCatalog.isRecordingRule(name) ? recorded.contains(name) : MetricCatalog.seriesNames().contains(name);
                if (!known) {
                    unknown.add(name + " in " + rule.path(rule.has("alert") ? "alert" : "record").asText());
                }
            }
        }
        assertThat(unknown).isEmpty();
        assertThat(recorded).allSatisfy(r -> assertThat(r).matches("[a-z_]+:tsfleet_[a-z_]+:[a-z0-9_]+"));
    }

    @Test
    void everyAggregationAndMatchKeepsTheFleetApart() {
        // two releases in one namespace are two fleets: no rule may add up or match series across them
        Pattern aggregation = Pattern.compile("\\b(sum|min|max|avg|count|group|stddev|topk|bottomk|quantile)\\s*(by|without)?\\s*\\(([^()]*)\\)?");
        Pattern match = Pattern.compile("\\b(on|ignoring)\\s*\\(([^)]*)\\)");
        List<String> problems = new ArrayList<>();
        int aggregations = 0;
        for (JsonNode group : Manifests.readYaml(RULES).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path(rule.has("alert") ? "alert" : "record").asText();
                String expr = rule.path("expr").asText().replaceAll("(?m)#.*$", "");
                Matcher a = aggregation.matcher(expr);
                while (a.find()) {
                    aggregations++;
                    if (!"by".equals(a.group(2)) || !List.of(a.group(3).split("\\s*,\\s*")).containsAll(List.of("namespace", "fleet"))) {
                        problems.add(name + ": " + a.group());
                    }
                }
                Matcher m = match.matcher(expr);
                while (m.find()) {
                    if (!"on".equals(m.group(1)) || !List.of(m.group(2).split("\\s*,\\s*")).containsAll(List.of("namespace", "fleet"))) {
                        problems.add(name + ": " + m.group());
                    }
                }
            }
        }
        assertThat(aggregations).isGreaterThan(15);
        assertThat(problems).isEmpty();
    }

    @Test
    void everySinkRuleKeepsTheSinksApart() {
        // a failing kafka sink must not hide behind a healthy jsonl sink: the sink series are aggregated by sink
        Pattern aggregation = Pattern.compile("\\b(sum|min|max|avg|count|group|quantile)\\s*(by|without)?\\s*\\(([^()]*)\\)");
        List<String> problems = new ArrayList<>();
        Set<String> sinkAlerts = new TreeSet<>();
        Set<String> sinkSeries = new TreeSet<>();
        for (JsonNode group : Manifests.readYaml(RULES).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path(rule.has("alert") ? "alert" : "record").asText();
                String expr = rule.path("expr").asText();
                // the rules about sinks (TsfleetSequenceGaps also reads the sink counters, summed per replica, to leave sink loss out)
                boolean sinkRule = name.startsWith("fleet_sink:") || name.startsWith("TsfleetSink");
                if (!sinkRule) {
                    continue;
                }
                PromqlMetricNames.of(expr).stream().filter(n -> !MetricCatalog.isRecordingRule(n))
                        .forEach(n -> sinkSeries.add(n.replaceAll("_(bucket|sum|count)$", "")));
                if (rule.has("alert")) {
                    sinkAlerts.add(name);
                    assertThat(expr).as(name).startsWith("fleet_sink:");
                }
                Matcher a = aggregation.matcher(expr);
                while (a.find()) {
                    if (!List.of(a.group(3).split("\\s*,\\s*")).contains("sink")) {
                        problems.add(name + ": " + a.group());
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(sinkAlerts).containsExactlyInAnyOrder("TsfleetSinkFailing", "TsfleetSinkDropping", "TsfleetSinkLagging", "TsfleetSinkBackpressure");
        assertThat(sinkSeries).containsAll(MetricCatalog.SINK_LABELLED);
    }

    @Test
    void theChartsMonitorsPutTheReleaseOnEverySeriesAsTheFleetLabel() {
        for (String valueSet : List.of("monitoring-hpa", "kernel-node")) {
            for (String release : List.of(HelmChart.RELEASE, "green")) {
                Manifests m = HelmChart.project().render().release(release).values(ProjectPaths.valueSet(valueSet)).manifests();
                List<JsonNode> endpoints = new ArrayList<>();
                m.ofKind("ServiceMonitor").forEach(sm -> sm.at("/spec/endpoints").forEach(endpoints::add));
                m.ofKind("PodMonitor").forEach(pm -> pm.at("/spec/podMetricsEndpoints").forEach(endpoints::add));
                assertThat(endpoints).as("%s: coordinator, listeners and the broker", valueSet).hasSizeGreaterThanOrEqualTo(3).allSatisfy(e ->
                        assertThat(e.path("relabelings")).as(valueSet).anySatisfy(r -> {
                            assertThat(r.path("targetLabel").asText()).isEqualTo("fleet");
                            assertThat(r.path("action").asText("replace")).isEqualTo("replace");
                            assertThat(r.path("replacement").asText()).isEqualTo(release);
                            assertThat(r.has("sourceLabels")).isFalse();
                        }));
            }
        }
    }

    private static List<JsonNode> alerts() {
        List<JsonNode> alerts = new ArrayList<>();
        for (JsonNode group : Manifests.readYaml(RULES).path("groups")) {
            group.path("rules").forEach(r -> {
                if (r.has("alert")) {
                    alerts.add(r);
                }
            });
        }
        return alerts;
    }

    @Test
    void theMetricNameExtractorSeesThroughPromql() {
        assertThat(PromqlMetricNames.of("""
                sum by (namespace, instance) (increase(tsfleet_listener_records_lost_total{job="a", le="+Inf"}[10m])) > 0
                  unless on (namespace) group_left (pod)
                (histogram_quantile(0.99, rate(x_bucket[$__rate_interval])) offset 5m)
                  and ns:rec:rate5m > bool 1e3
                """)).containsExactly("tsfleet_listener_records_lost_total", "x_bucket", "ns:rec:rate5m");
    }
}
