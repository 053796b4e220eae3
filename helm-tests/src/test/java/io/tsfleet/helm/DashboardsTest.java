package io.tsfleet.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsfleet.helm.support.Dashboards;
import io.tsfleet.helm.support.MetricCatalog;
import io.tsfleet.helm.support.PromqlMetricNames;
import io.tsfleet.helm.support.Promtool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The Grafana dashboards: structure, PromQL that parses, and only metrics the services export. */
class DashboardsTest {

    @Test
    void theThreeViewsExist() {
        assertThat(Dashboards.files()).extracting(f -> Dashboards.read(f).path("uid").asText())
                .containsExactlyInAnyOrder("tsfleet-overview", "tsfleet-replicas", "tsfleet-delays");
    }

    @Test
    void everyDashboardIsWellFormedForGrafana() {
        for (Path file : Dashboards.files()) {
            JsonNode d = Dashboards.read(file);
            String name = file.getFileName().toString();
            assertThat(d.path("title").asText()).as(name).startsWith("taskstats-fleet / ");
            assertThat(d.path("schemaVersion").asInt()).as(name).isGreaterThanOrEqualTo(36);
            assertThat(d.at("/templating/list").findValuesAsText("name")).as(name).contains("datasource", "namespace", "fleet", "node");
            List<JsonNode> panels = Dashboards.panels(d);
            assertThat(panels.stream().map(p -> p.path("id").asInt()).collect(Collectors.toSet())).as("%s panel ids", name).hasSameSizeAs(panels);
            for (JsonNode panel : panels) {
                String where = name + " '" + panel.path("title").asText() + "'";
                JsonNode grid = panel.path("gridPos");
                assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(where).isLessThanOrEqualTo(24);
                assertThat(grid.path("h").asInt()).as(where).isPositive();
                if (panel.path("type").asText().equals("row")) {
                    continue;
                }
                assertThat(panel.at("/datasource/uid").asText()).as(where).isEqualTo("${datasource}");
                assertThat(panel.path("targets")).as(where).isNotEmpty()
                        .allSatisfy(t -> assertThat(t.path("expr").asText()).as(where).isNotBlank());
            }
        }
    }

    @Test
    void everyExpressionParses(@TempDir Path dir) throws IOException {
        // promtool parses each expression as the expression of a recording rule
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        List<Dashboards.Query> queries = Dashboards.queries();
        for (int i = 0; i < queries.size(); i++) {
            rules.append("      - record: dashboard:query_").append(i).append(":check\n")
                    .append("        expr: ").append(yamlQuoted(queries.get(i).resolved())).append('\n');
        }
        Path file = dir.resolve("dashboard-queries.yaml");
        Files.writeString(file, rules);

        Promtool.Result check = Promtool.checkRules(file);
        assertThat(check.ok()).as(check.output()).isTrue();
        assertThat(check.output()).contains("SUCCESS: " + queries.size() + " rules found");
        assertThat(queries).hasSizeGreaterThan(30);
    }

    @Test
    void promtoolCatchesABrokenExpression(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "groups:\n  - name: d\n    rules:\n      - record: a:b:c\n        expr: "
                + yamlQuoted("sum(rate(tsfleet_listener_records_total[1m])") + "\n");
        assertThat(Promtool.checkRules(file).ok()).isFalse();
    }

    @Test
    void expressionsNameOnlyCatalogueMetricsAndNeverACpuLabel() {
        Map<String, Set<String>> unknown = new LinkedHashMap<>();
        for (Dashboards.Query q : Dashboards.queries()) {
            Set<String> names = new HashSet<>(PromqlMetricNames.of(q.resolved()));
            names.removeAll(MetricCatalog.seriesNames());
            if (!names.isEmpty()) {
                unknown.put(q.dashboard() + " " + q.where(), names);
            }
            assertThat(q.expr()).as(q.where()).doesNotContainPattern("\\bcpu\\s*(=|!=|=~|!~)").doesNotContainPattern("by \\([^)]*\\bcpu\\b");
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void everyQueryStaysInTheChosenFleetAndPerNodeSeriesFollowTheNodeVariable() {
        Pattern series = Pattern.compile("\\b(tsfleet_[a-z_]+)\\b(\\{[^}]*})?");
        Pattern match = Pattern.compile("\\b(on|ignoring)\\s*\\(([^)]*)\\)");
        List<String> problems = new ArrayList<>();
        int nodeFiltered = 0;
        for (Dashboards.Query q : Dashboards.queries()) {
            String where = q.dashboard() + " " + q.where();
            // the namespace and fleet variables list what there is to choose from
            if (where.endsWith("variable 'namespace'") || where.endsWith("variable 'fleet'")) {
                continue;
            }
            boolean variable = q.where().startsWith("variable");
            Matcher m = series.matcher(q.expr());
            while (m.find()) {
                String selector = m.group(2) == null ? "" : m.group(2);
                if (!selector.contains("fleet=~\"$fleet\"")) {
                    problems.add(where + ": " + m.group() + " without the fleet");
                }
                boolean perNode = MetricCatalog.NODE_LABELLED.contains(m.group(1).replaceAll("_(bucket|sum|count)$", ""));
                if (perNode && !variable && !selector.contains("node=~\"$node\"")) {
                    problems.add(where + ": " + m.group() + " has a node label but ignores the node variable");
                }
                if (!perNode && selector.contains("$node")) {
                    problems.add(where + ": " + m.group() + " has no node label to filter");
                }
                nodeFiltered += perNode && !variable ? 1 : 0;
            }
            Matcher on = match.matcher(q.expr());
            while (on.find()) {
                if (!on.group(2).replaceAll("\\s", "").contains("namespace,fleet,")) {
                    problems.add(where + ": " + on.group() + " matches across fleets");
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(nodeFiltered).isGreaterThan(20);
    }

    @Test
    void theNodeVariableListsTheNodesOfTheChosenFleetFromAPerNodeSeries() {
        for (Path file : Dashboards.files()) {
            JsonNode node = StreamSupport.stream(Dashboards.read(file).at("/templating/list").spliterator(), false)
                    .filter(v -> v.path("name").asText().equals("node")).findFirst().orElseThrow();
            Matcher query = Pattern.compile("^label_values\\((tsfleet_[a-z_]+)\\{(.*)}, node\\)$").matcher(node.at("/query/query").asText());
            assertThat(query.matches()).as("%s: %s", file.getFileName(), node.at("/query/query").asText()).isTrue();
            assertThat(MetricCatalog.NODE_LABELLED).contains(query.group(1));
            assertThat(query.group(2)).contains("namespace=~\"$namespace\"", "fleet=~\"$fleet\"");
            assertThat(node.path("multi").asBoolean()).isTrue();
            assertThat(node.path("includeAll").asBoolean()).isTrue();
            assertThat(node.path("allValue").asText()).isEqualTo(".*");
        }
    }

    @Test
    void theOverviewShowsWhatTheFleetIsJudgedBy() {
        Set<String> shown = metricsOf("fleet-overview.json");
        assertThat(shown).contains(
                "tsfleet_coordinator_uncovered_cpus",              // coverage
                "tsfleet_listener_node_records_total",             // throughput (per node whose CPUs they are)
                "tsfleet_listener_node_records_lost_total",        // loss
                "tsfleet_listener_node_enobufs_total",             // ENOBUFS
                "tsfleet_coordinator_replicas",                    // replicas
                "tsfleet_coordinator_desired_replicas",            // desired replicas
                "tsfleet_coordinator_imbalance_ratio", "tsfleet_coordinator_imbalance_floor_ratio",
                "tsfleet_coordinator_rebalances_total",            // rebalances
                "tsfleet_coordinator_handovers_in_flight",         // handovers
                "tsfleet_coordinator_nodes", "tsfleet_broker_connections"); // live nodes against the brokers scraped
        assertThat(metricsOf("replicas.json")).contains("tsfleet_listener_node_owned_cpus", "tsfleet_listener_load_ratio",
                "tsfleet_listener_node_records_lost_total", "tsfleet_listener_node_enobufs_total", "tsfleet_listener_node_duplicates_total");
    }

    @Test
    void theSinksAreShownPerSinkAndFollowTheSinkVariable() {
        // issue #20: written, failed, dropped, filtered, queue, lag, latency p99 and backpressure of every sink
        assertThat(metricsOf("replicas.json")).containsAll(MetricCatalog.SINK_LABELLED);
        assertThat(metricsOf("fleet-overview.json")).contains("tsfleet_listener_sink_records_total",
                "tsfleet_listener_sink_errors_total", "tsfleet_listener_sink_dropped_total");
        Pattern series = Pattern.compile("\\b(tsfleet_listener_sink_[a-z_]+)\\b(\\{[^}]*})?");
        List<String> problems = new ArrayList<>();
        int sinkQueries = 0;
        for (Dashboards.Query q : Dashboards.queries()) {
            if (q.where().startsWith("variable")) {
                continue;
            }
            Matcher m = series.matcher(q.expr());
            boolean sinkQuery = false;
            while (m.find()) {
                sinkQuery = true;
                if (m.group(2) == null || !m.group(2).contains("sink=~\"$sink\"")) {
                    problems.add(q.dashboard() + " " + q.where() + ": " + m.group() + " ignores the sink variable");
                }
            }
            if (sinkQuery) {
                sinkQueries++;
                if (q.expr().contains("sum by (") || q.expr().contains("max by (")) {
                    assertThat(q.expr()).as("%s %s keeps the sinks apart", q.dashboard(), q.where()).containsPattern("(sum|max) by \\([^)]*\\bsink\\b");
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(sinkQueries).isGreaterThanOrEqualTo(11);
        for (String file : List.of("replicas.json", "fleet-overview.json")) {
            JsonNode sink = StreamSupport.stream(Dashboards.read(Dashboards.files().stream()
                            .filter(f -> f.getFileName().toString().equals(file)).findFirst().orElseThrow()).at("/templating/list").spliterator(), false)
                    .filter(v -> v.path("name").asText().equals("sink")).findFirst().orElseThrow();
            assertThat(sink.at("/query/query").asText()).isEqualTo("label_values(tsfleet_listener_sink_records_total{namespace=~\"$namespace\", fleet=~\"$fleet\"}, sink)");
            assertThat(sink.path("multi").asBoolean()).isTrue();
            assertThat(sink.path("allValue").asText()).isEqualTo(".*");
        }
    }

    @Test
    void theDelayViewHasAHeatmapAndQuantilesOfTheDelayHistograms() {
        JsonNode delays = Dashboards.read(Dashboards.files().stream()
                .filter(f -> f.getFileName().toString().equals("task-delays.json")).findFirst().orElseThrow());
        List<JsonNode> panels = Dashboards.panels(delays);
        JsonNode heatmap = panels.stream().filter(p -> p.path("type").asText().equals("heatmap")).findFirst().orElseThrow();
        assertThat(heatmap.at("/targets/0/format").asText()).isEqualTo("heatmap");
        assertThat(heatmap.at("/targets/0/expr").asText()).contains("tsfleet_listener_task_delay_seconds_bucket").contains("by (le)");
        assertThat(panels.stream().flatMap(p -> p.path("targets").findValuesAsText("expr").stream()))
                .anySatisfy(e -> assertThat(e).startsWith("histogram_quantile(0.99"));
    }

    private static Set<String> metricsOf(String file) {
        Set<String> names = new HashSet<>();
        Dashboards.queries().stream().filter(q -> q.dashboard().equals(file)).forEach(q -> names.addAll(PromqlMetricNames.of(q.resolved())));
        List<String> bases = new ArrayList<>(names);
        bases.forEach(n -> names.add(n.replaceAll("_(bucket|sum|count)$", "")));
        return names;
    }

    /** A YAML double-quoted scalar. */
    private static String yamlQuoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
