package io.tsfleet.coordinator.web;

import io.tsfleet.coordinator.domain.AuditEvent;
import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.NodeView;
import io.tsfleet.coordinator.domain.view.ReplicaView;
import io.tsfleet.coordinator.service.CoordinatorService;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.testing.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node endpoints over real HTTP: a node token announces and withdraws nodes and does nothing else; replica, admin
 * and read tokens cannot announce; bad announcements get a 400 problem detail, are counted and change nothing; one node
 * more than {@code nodes.max-nodes} gets 409; {@code GET /api/v1/nodes} lists the nodes for a read token.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.possible-cpus=0-15",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.nodes.max-nodes=2",
        "tsfleet.coordinator.security.admin-tokens=nodes-admin",
        "tsfleet.coordinator.security.read-tokens=nodes-reader",
        "tsfleet.coordinator.security.replica-tokens=nodes-replica",
        "tsfleet.coordinator.security.node-tokens=nodes-agent"})
class NodeApiHttpTest {
    static final String BOOT = "0f6c3a52-5d1e-4d8e-9a51-3b1c2d4e5f60";
    static final String OTHER_BOOT = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";

    @LocalServerPort
    int port;
    @Autowired
    CoordinatorService service;
    @Autowired
    InMemoryAssignmentStore store;
    @Autowired
    JsonMapper json;

    @BeforeEach
    void empty() {
        service.stop();
        store.clear();
        service.start();
    }

    String body(String name, String boot, String cpus, String broker, String delay) {
        return json.writeValueAsString(new NodeAnnouncement(name, boot, cpus, broker, delay, null));
    }

    RawHttp.Response announce(String pathName, String token, String body) throws IOException {
        return RawHttp.send(port, "PUT", "/internal/v1/nodes/" + pathName, token, body);
    }

    RawHttp.Response announce(String name, String token) throws IOException {
        return announce(name, token, body(name, BOOT, "0-63", name + ":7411", "on"));
    }

    List<String> nodes() {
        return service.call(c -> c.nodes()).stream().map(NodeView::name).toList();
    }

    @Test
    void aNodeTokenAnnouncesAndTheReaderSeesTheNode() throws Exception {
        RawHttp.Response r = announce("worker-1", "nodes-agent", body("worker-1", BOOT, "0-63", "10.0.0.7:7411", "off"));
        assertThat(r.status()).isEqualTo(200);
        JsonNode lease = json.readTree(r.body());
        assertThat(lease.get("leaseMillis").asLong()).isEqualTo(30_000);
        assertThat(lease.get("announceIntervalMillis").asLong()).isEqualTo(10_000);

        RawHttp.Response list = RawHttp.send(port, "GET", "/api/v1/nodes", "nodes-reader", null);
        assertThat(list.status()).isEqualTo(200);
        JsonNode node = json.readTree(list.body()).get(0);
        assertThat(node.get("name").asString()).isEqualTo("worker-1");
        assertThat(node.get("bootId").asString()).isEqualTo(BOOT);
        assertThat(node.get("possibleCpus").asString()).isEqualTo("0-63");
        assertThat(node.get("broker").asString()).isEqualTo("10.0.0.7:7411");
        assertThat(node.get("delayAccounting").asString()).isEqualTo("off");
        assertThat(node.has("lastSeen")).isTrue();
        assertThat(node.has("leaseExpiresAt")).isTrue();

        String metrics = RawHttp.send(port, "GET", "/actuator/prometheus", null, null).body();
        assertThat(metrics).contains("tsfleet_coordinator_nodes{application=\"tsfleet-coordinator\"} 1.0");
    }

    @Test
    void aNewBootIdIsARebootInTheAuditLog() throws Exception {
        assertThat(announce("worker-1", "nodes-agent").status()).isEqualTo(200);
        assertThat(announce("worker-1", "nodes-agent", body("worker-1", OTHER_BOOT, "0-63", "worker-1:7411", "on")).status()).isEqualTo(200);
        RawHttp.Response audit = RawHttp.send(port, "GET", "/api/v1/audit?limit=100", "nodes-reader", null);
        assertThat(audit.body()).contains("\"node-joined\"").contains("\"node-rebooted\"").contains(BOOT + " -> " + OTHER_BOOT);
        assertThat(service.counters().get(FleetCounter.NODE_REBOOTS)).isEqualTo(1);
    }

    @Test
    void onlyANodeCredentialAnnounces() throws Exception {
        for (String token : List.of("nodes-replica", "nodes-admin", "nodes-reader")) {
            RawHttp.Response r = announce("worker-1", token);
            assertThat(r.status()).as(token).isEqualTo(403);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            assertThat(r.body()).contains("cannot announce or withdraw nodes").doesNotContain("a admin");
            assertThat(RawHttp.send(port, "DELETE", "/internal/v1/nodes/worker-1", token, null).status()).as(token).isEqualTo(403);
        }
        assertThat(announce("worker-1", null).status()).isEqualTo(401);
        assertThat(announce("worker-1", "not-a-token").status()).isEqualTo(401);
        assertThat(nodes()).isEmpty();
    }

    @Test
    void aNodeTokenCanDoNothingElse() throws Exception {
        String hb = json.writeValueAsString(Heartbeats.empty("r1", "i-r1", 0));
        RawHttp.Response heartbeat = RawHttp.send(port, "POST", "/internal/v1/replicas/r1/heartbeat", "nodes-agent", hb);
        assertThat(heartbeat.status()).isEqualTo(403);
        assertThat(heartbeat.header("Content-Type")).startsWith("application/problem+json");
        assertThat(service.call(c -> c.replicas()).stream().map(ReplicaView::id).toList()).isEmpty();
        assertThat(RawHttp.send(port, "GET", "/api/v1/nodes", "nodes-agent", null).status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "GET", "/api/v1/assignment", "nodes-agent", null).status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "POST", "/api/v1/rebalance", "nodes-agent", null).status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "POST", "/api/v1/replicas/r1/drain", "nodes-agent", null).status()).isEqualTo(403);
    }

    @Test
    void badAnnouncementsGetAProblemDetailAreCountedAndChangeNothing() throws Exception {
        assertThat(announce("worker-1", "nodes-agent").status()).isEqualTo(200);
        List<NodeView> before = service.call(c -> c.nodes());
        List<AuditEvent> auditBefore = service.call(c -> c.audit(1000));
        long invalidBefore = service.counters().get(FleetCounter.NODE_ANNOUNCEMENTS_REFUSED_INVALID);
        List<String[]> bad = List.of(
                new String[]{"worker-1", body("worker-2", OTHER_BOOT, "0-63", "worker-2:7411", "on"), "does not match the path's node"},
                new String[]{"worker-1", body("worker-1", OTHER_BOOT, "0-63,x", "worker-1:7411", "on"), "is not a valid cpulist"},
                new String[]{"worker-1", body("worker-1", OTHER_BOOT, "", "worker-1:7411", "on"), "possibleCpus must be a non-empty cpulist"},
                new String[]{"worker-1", body("worker-1", OTHER_BOOT, "0-63", "worker-1", "on"), "advertisedBroker"},
                new String[]{"worker-1", body("worker-1", OTHER_BOOT, "0-63", "worker-1:0", "on"), "advertisedBroker"},
                new String[]{"worker-1", body("worker-1", OTHER_BOOT, "0-63", "a b:7411", "on"), "is not host:port"},
                new String[]{"worker-1", body("worker-1", "boot", "0-63", "worker-1:7411", "on"), "bootId must be a UUID"},
                new String[]{"worker-1", body("worker-1", OTHER_BOOT, "0-63", "worker-1:7411", "yes"), "delayAccounting"},
                new String[]{"Worker_1", body("Worker_1", OTHER_BOOT, "0-63", "worker-1:7411", "on"), "DNS subdomain"});
        for (String[] b : bad) {
            RawHttp.Response r = announce(b[0], "nodes-agent", b[1]);
            assertThat(r.status()).as(b[1]).isEqualTo(400);
            assertThat(r.header("Content-Type")).as(b[1]).startsWith("application/problem+json");
            assertThat(r.body()).as(b[1]).contains(b[2]);
        }
        assertThat(announce("worker-1", "nodes-agent", "{not json").status()).isEqualTo(400);
        assertThat(service.<List<NodeView>>call(c -> c.nodes())).isEqualTo(before);
        assertThat(service.<List<AuditEvent>>call(c -> c.audit(1000))).isEqualTo(auditBefore);
        assertThat(service.counters().get(FleetCounter.NODE_ANNOUNCEMENTS_REFUSED_INVALID) - invalidBefore).isEqualTo(bad.size());
    }

    @Test
    void oneNodeBeyondTheLimitIsAConflict() throws Exception {
        assertThat(announce("worker-1", "nodes-agent").status()).isEqualTo(200);
        assertThat(announce("worker-2", "nodes-agent").status()).isEqualTo(200);
        RawHttp.Response third = announce("worker-3", "nodes-agent");
        assertThat(third.status()).isEqualTo(409);
        assertThat(third.header("Content-Type")).startsWith("application/problem+json");
        assertThat(third.body()).contains("tsfleet.coordinator.nodes.max-nodes");
        assertThat(nodes()).containsExactly("worker-1", "worker-2");
        assertThat(announce("worker-2", "nodes-agent").status()).as("a known node still renews").isEqualTo(200);
    }

    @Test
    void aWithdrawnNodeIsGoneAtOnce() throws Exception {
        assertThat(announce("worker-1", "nodes-agent").status()).isEqualTo(200);
        RawHttp.Response r = RawHttp.send(port, "DELETE", "/internal/v1/nodes/worker-1", "nodes-agent", null);
        assertThat(r.status()).isEqualTo(204);
        assertThat(nodes()).isEmpty();
        assertThat(RawHttp.send(port, "DELETE", "/internal/v1/nodes/worker-1", "nodes-agent", null).status()).as("idempotent").isEqualTo(204);
        assertThat(service.call(c -> c.audit(10)).getFirst().type()).isEqualTo("node-left");
    }
}
