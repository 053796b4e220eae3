package io.tsfleet.coordinator.web;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator's own meters as {@code /actuator/prometheus} shows them (names, help texts, types and tag sets):
 * the dashboards, alerts and {@code docs/operations.md} are written against exactly these, so a change of how the
 * counters are kept must not change one of them. (The security meters, {@code tsfleet_coordinator_auth_*}, are
 * checked with the security adapters, the request size limit with its filter.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.possible-cpus=0-15",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.security.admin-tokens=admin",
        "tsfleet.coordinator.security.replica-tokens=replica"})
class CoordinatorMetricCatalogueTest {
    /** A series without its value, or a HELP / TYPE line. */
    private static final Pattern SERIES_VALUE = Pattern.compile(" [^ ]+$");

    @LocalServerPort
    int port;

    @Test
    void theCoordinatorMetersKeepTheirNamesHelpTypesAndTags() throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        List<String> catalogue = body.lines()
                .filter(l -> l.startsWith("tsfleet_coordinator_") || l.startsWith("# HELP tsfleet_coordinator_") || l.startsWith("# TYPE tsfleet_coordinator_"))
                .filter(l -> !l.contains("tsfleet_coordinator_auth_") && !l.contains("tsfleet_coordinator_requests_too_large"))
                .map(l -> l.startsWith("#") ? l : SERIES_VALUE.matcher(l).replaceFirst(""))
                .sorted().toList();
        assertThat(catalogue).containsExactlyElementsOf(EXPECTED);
    }

    private static final List<String> EXPECTED = List.of(
            "# HELP tsfleet_coordinator_cpus_moved_total CPUs that changed owner at a sequence fence",
            "# HELP tsfleet_coordinator_cross_node_load_ratio Share of the load whose owner runs on another node than the slot",
            "# HELP tsfleet_coordinator_cross_zone_load_ratio Share of the load whose owner runs in another zone than the slot",
            "# HELP tsfleet_coordinator_desired_replicas Replicas the load needs (fast up, slow down)",
            "# HELP tsfleet_coordinator_generation Current plan generation",
            "# HELP tsfleet_coordinator_handover_rollbacks_total Handovers rolled back",
            "# HELP tsfleet_coordinator_handovers_completed_total Handovers completed",
            "# HELP tsfleet_coordinator_handovers_in_flight CPUs in make-before-break handover (idle CPUs waiting for traffic excluded)",
            "# HELP tsfleet_coordinator_handovers_started_total Handovers started (make before break)",
            "# HELP tsfleet_coordinator_handovers_waiting_for_traffic Handovers whose new owner is registered on an idle CPU",
            "# HELP tsfleet_coordinator_heartbeats_refused_total Heartbeats refused (409 or 400), by reason; nothing of them was applied",
            "# HELP tsfleet_coordinator_hot_cpus CPUs whose load alone exceeds one replica's headroom (alert)",
            "# HELP tsfleet_coordinator_imbalance_floor_ratio The physical floor max(1, max CPU load x replicas / total load)",
            "# HELP tsfleet_coordinator_imbalance_ratio Most loaded replica over the mean",
            "# HELP tsfleet_coordinator_leader 1 when this instance leads",
            "# HELP tsfleet_coordinator_leader_label_failures_total Failed patches of the role label (or lists of the other coordinator pods); retried every retry period",
            "# HELP tsfleet_coordinator_leader_label_stale_cleared_total Leader labels of other coordinator pods (a leader that died without removing it) set back to standby",
            "# HELP tsfleet_coordinator_leader_label_synced 1 when this coordinator's pod carries its role label (leader or standby; always 1 without leader labels), 0 while a patch is failing",
            "# HELP tsfleet_coordinator_node_announcements_refused_total Node announcements and withdrawals refused (400 invalid, 409 node-limit); nothing of them was applied",
            "# HELP tsfleet_coordinator_node_expiries_total Nodes dropped because they did not announce themselves for a node lease",
            "# HELP tsfleet_coordinator_node_reboots_total Registered nodes that announced another boot id (their sequences start anew; not a loss)",
            "# HELP tsfleet_coordinator_nodes Nodes whose agents hold a lease (on the leader; 0 on a standby)",
            "# HELP tsfleet_coordinator_nodes_joined_total Nodes that joined (an announcement of a node not registered)",
            "# HELP tsfleet_coordinator_nodes_left_total Nodes withdrawn by their agent (shutdown)",
            "# HELP tsfleet_coordinator_ownership_taken_total CPUs a replica took without a handover (no owner, or the owner was gone)",
            "# HELP tsfleet_coordinator_pending_moves Planned moves not yet started",
            "# HELP tsfleet_coordinator_persist_failures_total Assignment snapshots that could not be persisted",
            "# HELP tsfleet_coordinator_rebalances_skipped_total Load-driven rebalances not made: the plan would not have helped enough (scaling is the remedy)",
            "# HELP tsfleet_coordinator_rebalances_total Plans made, by trigger",
            "# HELP tsfleet_coordinator_replicas Live replicas by state (presumed: recovered after a restart, not yet heard from)",
            "# HELP tsfleet_coordinator_slots The (node, CPU) slots of the fleet: the CPUs of its nodes",
            "# HELP tsfleet_coordinator_stale_heartbeats_total Heartbeats refused as stale",
            "# HELP tsfleet_coordinator_stray_fences_total Replicas registered on a CPU they do not own, told to release it after a fence",
            "# HELP tsfleet_coordinator_stuck_releases_total Releases not done in time after their fence",
            "# HELP tsfleet_coordinator_uncovered_cpus Possible CPUs no live replica is registered on",
            "# TYPE tsfleet_coordinator_cpus_moved_total counter",
            "# TYPE tsfleet_coordinator_cross_node_load_ratio gauge",
            "# TYPE tsfleet_coordinator_cross_zone_load_ratio gauge",
            "# TYPE tsfleet_coordinator_desired_replicas gauge",
            "# TYPE tsfleet_coordinator_generation gauge",
            "# TYPE tsfleet_coordinator_handover_rollbacks_total counter",
            "# TYPE tsfleet_coordinator_handovers_completed_total counter",
            "# TYPE tsfleet_coordinator_handovers_in_flight gauge",
            "# TYPE tsfleet_coordinator_handovers_started_total counter",
            "# TYPE tsfleet_coordinator_handovers_waiting_for_traffic gauge",
            "# TYPE tsfleet_coordinator_heartbeats_refused_total counter",
            "# TYPE tsfleet_coordinator_hot_cpus gauge",
            "# TYPE tsfleet_coordinator_imbalance_floor_ratio gauge",
            "# TYPE tsfleet_coordinator_imbalance_ratio gauge",
            "# TYPE tsfleet_coordinator_leader gauge",
            "# TYPE tsfleet_coordinator_leader_label_failures_total counter",
            "# TYPE tsfleet_coordinator_leader_label_stale_cleared_total counter",
            "# TYPE tsfleet_coordinator_leader_label_synced gauge",
            "# TYPE tsfleet_coordinator_node_announcements_refused_total counter",
            "# TYPE tsfleet_coordinator_node_expiries_total counter",
            "# TYPE tsfleet_coordinator_node_reboots_total counter",
            "# TYPE tsfleet_coordinator_nodes gauge",
            "# TYPE tsfleet_coordinator_nodes_joined_total counter",
            "# TYPE tsfleet_coordinator_nodes_left_total counter",
            "# TYPE tsfleet_coordinator_ownership_taken_total counter",
            "# TYPE tsfleet_coordinator_pending_moves gauge",
            "# TYPE tsfleet_coordinator_persist_failures_total counter",
            "# TYPE tsfleet_coordinator_rebalances_skipped_total counter",
            "# TYPE tsfleet_coordinator_rebalances_total counter",
            "# TYPE tsfleet_coordinator_replicas gauge",
            "# TYPE tsfleet_coordinator_slots gauge",
            "# TYPE tsfleet_coordinator_stale_heartbeats_total counter",
            "# TYPE tsfleet_coordinator_stray_fences_total counter",
            "# TYPE tsfleet_coordinator_stuck_releases_total counter",
            "# TYPE tsfleet_coordinator_uncovered_cpus gauge",
            "tsfleet_coordinator_cpus_moved_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_cross_node_load_ratio{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_cross_zone_load_ratio{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_desired_replicas{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_generation{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_handover_rollbacks_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_handovers_completed_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_handovers_in_flight{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_handovers_started_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_handovers_waiting_for_traffic{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_heartbeats_refused_total{application=\"tsfleet-coordinator\",reason=\"incarnation-live\"}",
            "tsfleet_coordinator_heartbeats_refused_total{application=\"tsfleet-coordinator\",reason=\"invalid\"}",
            "tsfleet_coordinator_heartbeats_refused_total{application=\"tsfleet-coordinator\",reason=\"member-limit\"}",
            "tsfleet_coordinator_heartbeats_refused_total{application=\"tsfleet-coordinator\",reason=\"replaced-incarnation\"}",
            "tsfleet_coordinator_heartbeats_refused_total{application=\"tsfleet-coordinator\",reason=\"unissued-generation\"}",
            "tsfleet_coordinator_hot_cpus{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_imbalance_floor_ratio{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_imbalance_ratio{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_leader_label_failures_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_leader_label_stale_cleared_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_leader_label_synced{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_leader{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_node_announcements_refused_total{application=\"tsfleet-coordinator\",reason=\"invalid\"}",
            "tsfleet_coordinator_node_announcements_refused_total{application=\"tsfleet-coordinator\",reason=\"node-limit\"}",
            "tsfleet_coordinator_node_expiries_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_node_reboots_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_nodes_joined_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_nodes_left_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_nodes{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_ownership_taken_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_pending_moves{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_persist_failures_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_rebalances_skipped_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_rebalances_total{application=\"tsfleet-coordinator\",trigger=\"admin\"}",
            "tsfleet_coordinator_rebalances_total{application=\"tsfleet-coordinator\",trigger=\"capacity\"}",
            "tsfleet_coordinator_rebalances_total{application=\"tsfleet-coordinator\",trigger=\"imbalance\"}",
            "tsfleet_coordinator_rebalances_total{application=\"tsfleet-coordinator\",trigger=\"membership\"}",
            "tsfleet_coordinator_rebalances_total{application=\"tsfleet-coordinator\",trigger=\"overflow\"}",
            "tsfleet_coordinator_replicas{application=\"tsfleet-coordinator\",state=\"active\"}",
            "tsfleet_coordinator_replicas{application=\"tsfleet-coordinator\",state=\"draining\"}",
            "tsfleet_coordinator_replicas{application=\"tsfleet-coordinator\",state=\"presumed\"}",
            "tsfleet_coordinator_slots{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_stale_heartbeats_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_stray_fences_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_stuck_releases_total{application=\"tsfleet-coordinator\"}",
            "tsfleet_coordinator_uncovered_cpus{application=\"tsfleet-coordinator\"}");
}
