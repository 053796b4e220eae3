package io.tsfleet.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsfleet.helm.support.Dashboards;
import io.tsfleet.helm.support.Manifests;
import io.tsfleet.helm.support.MetricCatalog;
import io.tsfleet.helm.support.ProjectPaths;
import io.tsfleet.helm.support.PrometheusServer;
import io.tsfleet.helm.support.PromqlMetricNames;
import io.tsfleet.testing.LocalFleet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Prometheus scrapes a running fleet (emulator, coordinator, two replicas as processes) with the project's
 * rules loaded. Every dashboard query and every rule evaluates without error, and every metric they name is one the
 * services export: renaming a metric without updating rules and dashboards fails here.
 */
class FleetUnderPrometheusIT {
    private static final Path RULES = ProjectPaths.deployPrometheus().resolve("rules.yaml");
    private static final String FLEET = "it-fleet";
    private static final LocalFleet.Tokens TOKENS = new LocalFleet.Tokens("it-broker-token", "it-admin-token", null, "it-replica-token");
    private static LocalFleet fleet;
    private static PrometheusServer prometheus;

    @BeforeAll
    static void startFleetAndPrometheus() throws Exception {
        Path dir = Files.createDirectories(ProjectPaths.root().resolve("helm-tests/target/fleet-under-prometheus"));
        // the coordinator's default store (a file), kept in the run folder rather than the user's state directory
        fleet = LocalFleet.builder(ProjectPaths.root(), dir).cpus(8).baseRate(100).replicas(2).tokens(TOKENS)
                .coordinatorArgs("--tsfleet.coordinator.state-file=" + dir.resolve("coordinator/state.json"))
                .startTimeout(Duration.ofSeconds(180)).start();
        Map<String, List<String>> jobs = new LinkedHashMap<>();
        jobs.put("tsfleet-emulator", List.of(fleet.emulatorTarget()));
        jobs.put("tsfleet-coordinator", List.of(fleet.coordinatorTarget()));
        jobs.put("tsfleet-listener", fleet.replicaTargets());
        prometheus = PrometheusServer.start(dir.resolve("prometheus"), jobs, RULES, FLEET);
        // scraped (the first sample comes after the discovery throttle), records flowing, rules evaluated
        prometheus.await("all 4 targets up", Duration.ofSeconds(60), () -> prometheus.vector("up == 1").size() == 4);
        prometheus.await("records received", Duration.ofSeconds(90),
                () -> !prometheus.vector("sum(rate(tsfleet_listener_records_total[30s])) > 0").isEmpty());
        prometheus.await("recording rules evaluated", Duration.ofSeconds(30),
                () -> !prometheus.vector("fleet:tsfleet_listener_records:rate5m").isEmpty());
        prometheus.await("every rule evaluated at least once", Duration.ofSeconds(30),
                () -> prometheus.rules().at("/data/groups").findValuesAsText("health").stream().noneMatch("unknown"::equals));
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void everyDashboardQueryEvaluates() {
        List<String> errors = new ArrayList<>();
        List<Dashboards.Query> queries = Dashboards.queries();
        for (Dashboards.Query q : queries) {
            JsonNode answer = prometheus.query(q.resolved());
            if (!"success".equals(answer.path("status").asText())) {
                errors.add(q.dashboard() + " " + q.where() + ": " + answer.path("error").asText());
            }
        }
        assertThat(errors).isEmpty();
        assertThat(queries).hasSizeGreaterThan(30);
    }

    @Test
    void everyRuleEvaluatesWithoutError() {
        List<String> problems = new ArrayList<>();
        int count = 0;
        for (JsonNode group : prometheus.rules().at("/data/groups")) {
            for (JsonNode rule : group.path("rules")) {
                count++;
                String name = rule.path("name").asText();
                if (!"ok".equals(rule.path("health").asText())) {
                    problems.add(name + ": " + rule.path("health").asText() + " " + rule.path("lastError").asText());
                }
                JsonNode answer = prometheus.query(rule.path("query").asText());
                if (!"success".equals(answer.path("status").asText())) {
                    problems.add(name + ": " + answer.path("error").asText());
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(count).isEqualTo(ruleCount());
    }

    @Test
    void everyMetricThatRulesAndDashboardsNameIsExportedByTheServices() {
        Set<String> exported = prometheus.metricNames();
        Set<String> named = new TreeSet<>();
        Dashboards.queries().forEach(q -> named.addAll(PromqlMetricNames.of(q.resolved())));
        for (JsonNode group : Manifests.readYaml(RULES).path("groups")) {
            group.path("rules").forEach(r -> named.addAll(PromqlMetricNames.of(r.path("expr").asText())));
        }
        named.removeIf(MetricCatalog::isRecordingRule);

        assertThat(named).isNotEmpty();
        assertThat(named).as("metrics named by rules and dashboards but exported by none of the services\n%s", fleet.logTails(40))
                .allSatisfy(n -> assertThat(exported).contains(n));
        assertThat(exported).as("the core metrics").containsAll(MetricCatalog.CORE);
    }

    @Test
    void theLeaderRulesSeeTheOneCoordinatorAndTheFleetCoversItsCpus() {
        prometheus.await("the coordinator reporting no uncovered CPU", Duration.ofSeconds(90),
                () -> prometheus.vector("fleet:tsfleet_coordinator_uncovered_cpus:leader == 0").size() == 1);
        assertThat(prometheus.vector("fleet:tsfleet_coordinator_leaders:sum")).singleElement().satisfies(s -> {
            assertThat(s.at("/metric/fleet").asText()).isEqualTo(FLEET);
            assertThat(s.at("/value/1").asText()).isEqualTo("1");
        });
        assertThat(prometheus.vector("absent(tsfleet_coordinator_leader)")).isEmpty();
        assertThat(prometheus.vector("sum(tsfleet_listener_owned_cpus) >= 8")).hasSize(1);
    }

    @Test
    void everyPerNodeSeriesCarriesTheNodeTheDashboardsFilterBy() {
        // the emulator names its node after its host unless told otherwise: one node, on every broker series
        assertThat(prometheus.vector("count by (node) (tsfleet_broker_connections)")).singleElement()
                .satisfies(s -> assertThat(s.at("/metric/node").asText()).isNotBlank());
        // the catalogue's per-node series (the broker's and the listener's) never come without a node
        for (String name : MetricCatalog.NODE_LABELLED) {
            assertThat(prometheus.vector(name)).as(name).isNotEmpty();
            assertThat(prometheus.vector(name + "{node=\"\"}")).as("%s without a node label", name).isEmpty();
        }
    }

    @Test
    void everySinkSeriesCarriesItsSink() {
        // the rules and dashboards aggregate and filter the sink series by sink (issue #20): none comes without it
        for (String name : MetricCatalog.SINK_LABELLED) {
            String series = MetricCatalog.HISTOGRAMS.contains(name) ? name + "_count" : name;
            assertThat(prometheus.vector(series)).as(series).isNotEmpty();
            assertThat(prometheus.vector(series + "{sink=\"\"}")).as("%s without a sink label", series).isEmpty();
        }
    }

    private static int ruleCount() {
        int count = 0;
        for (JsonNode group : Manifests.readYaml(RULES).path("groups")) {
            count += group.path("rules").size();
        }
        return count;
    }
}
