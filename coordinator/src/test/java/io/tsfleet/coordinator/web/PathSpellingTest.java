package io.tsfleet.coordinator.web;

import io.tsfleet.testing.RawHttp;
import io.tsfleet.coordinator.domain.AuditEvent;
import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.NodeView;
import io.tsfleet.coordinator.domain.view.ReplicaView;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.coordinator.service.CoordinatorService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bearer check cannot be bypassed by spelling a path differently: over real HTTP (raw socket, so that no client
 * normalises the request target), every spelling of a protected path that Spring MVC could route to a handler is
 * either rejected by the firewall (400) or needs the token (401), and nothing changes in the coordinator. The
 * public paths still answer without a token, and paths on no allow-list are denied.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.possible-cpus=0-15",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.security.admin-tokens=spelling-admin",
        "tsfleet.coordinator.security.read-tokens=spelling-reader",
        "tsfleet.coordinator.security.replica-tokens=spelling-replica",
        "tsfleet.coordinator.security.node-tokens=spelling-node"})
class PathSpellingTest {

    record Probe(String method, String target, boolean heartbeat) {
    }

    static final List<Probe> SPELLINGS = List.of(
            get("/api/v1/assignment"),
            get("/%61pi/v1/assignment"),
            get("/api/v1/%61ssignment"),
            get("/%2561pi/v1/assignment"),
            get("/api%2Fv1%2Fassignment"),
            get("/api%2fv1/assignment"),
            get("/api/v1/x/%2e%2e/assignment"),
            get("/api/v1/x/%2E%2E/assignment"),
            get("/%2e/api/v1/assignment"),
            get("/api/v1/x/../assignment"),
            get("/x/../api/v1/assignment"),
            get("/./api/v1/assignment"),
            get("/api/./v1/assignment"),
            get("/console/../api/v1/assignment"),
            get("/console/%2e%2e/api/v1/assignment"),
            get("/actuator/health/../../api/v1/assignment"),
            get("/actuator/health/..;/..;/api/v1/assignment"),
            get("/swagger-ui/..;/api/v1/assignment"),
            get("/api;x/v1/assignment"),
            get("/api/v1/assignment;x"),
            get("/api/v1;jsessionid=1/assignment"),
            get("/api;/v1/status"),
            get("//api/v1/assignment"),
            get("/api//v1/assignment"),
            get("/api/v1/assignment/"),
            get("/api/v1/status/"),
            get("/API/v1/assignment"),
            get("/Api/V1/Status"),
            get("/api\\v1\\assignment"),
            get("/api%5Cv1%5Cassignment"),
            get("/api/v1/assignment%00"),
            get("/api/v1/assignment%20"),
            get("/api/v1/assignment?x=/../"),
            post("/api/v1/rebalance"),
            post("/api;x/v1/rebalance"),
            post("/%61pi/v1/rebalance"),
            post("/api/v1/rebalance/"),
            post("/api/v1/rebalance;x"),
            post("//api/v1/rebalance"),
            post("/api/v1/../v1/rebalance"),
            post("/API/v1/rebalance"),
            post("/api/v1/replicas/a/drain;x"),
            post("/%61pi/v1/replicas/a/drain"),
            heartbeat("/internal/v1/replicas/zz/heartbeat"),
            heartbeat("/%69nternal/v1/replicas/zz/heartbeat"),
            heartbeat("/internal;x/v1/replicas/zz/heartbeat"),
            heartbeat("/internal/v1/replicas/zz/heartbeat/"),
            heartbeat("/internal/v1/replicas/zz/heartbeat;x"),
            heartbeat("//internal/v1/replicas/zz/heartbeat"),
            heartbeat("/x/../internal/v1/replicas/zz/heartbeat"),
            heartbeat("/internal/v1/replicas/%7a%7a/heartbeat"),
            heartbeat("/INTERNAL/v1/replicas/zz/heartbeat"),
            heartbeat("/internal\\v1\\replicas\\zz\\heartbeat"));

    /** Spellings of the node agents' endpoints: refused (400) or asked for a token (401), and no node changes. */
    static final List<Probe> NODE_SPELLINGS = List.of(
            announce("/internal/v1/nodes/zz"),
            announce("/%69nternal/v1/nodes/zz"),
            announce("/internal;x/v1/nodes/zz"),
            announce("/internal/v1/nodes/zz/"),
            announce("/internal/v1/nodes/zz;x"),
            announce("//internal/v1/nodes/zz"),
            announce("/x/../internal/v1/nodes/zz"),
            announce("/internal/v1/nodes/%7a%7a"),
            announce("/INTERNAL/v1/nodes/zz"),
            announce("/internal\\v1\\nodes\\zz"),
            new Probe("DELETE", "/internal/v1/nodes/a", false),
            new Probe("DELETE", "/%69nternal/v1/nodes/a", false),
            new Probe("DELETE", "/internal/v1/nodes/a;x", false),
            new Probe("DELETE", "//internal/v1/nodes/a", false),
            new Probe("DELETE", "/internal/v1/nodes/%61", false),
            get("/api/v1/nodes"),
            get("/%61pi/v1/nodes"),
            get("/api/v1/nodes/"),
            get("/api;x/v1/nodes"));

    static Probe announce(String target) {
        return new Probe("PUT", target, false);
    }

    static Probe get(String target) {
        return new Probe("GET", target, false);
    }

    static Probe post(String target) {
        return new Probe("POST", target, false);
    }

    static Probe heartbeat(String target) {
        return new Probe("POST", target, true);
    }

    @LocalServerPort
    int port;
    @Autowired
    CoordinatorService service;
    @Autowired
    InMemoryAssignmentStore store;
    @Autowired
    JsonMapper json;

    @BeforeEach
    void oneReplica() throws Exception {
        service.stop();
        store.clear();
        service.start();
        String hb = json.writeValueAsString(Heartbeats.empty("a", "ia", 0));
        assertThat(RawHttp.send(port, "POST", "/internal/v1/replicas/a/heartbeat", "spelling-replica", hb).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "PUT", "/internal/v1/nodes/a", "spelling-node", nodeBody("a")).status()).isEqualTo(200);
    }

    String nodeBody(String name) {
        return json.writeValueAsString(new NodeAnnouncement(name, "0f6c3a52-5d1e-4d8e-9a51-3b1c2d4e5f60", "0-15", name + ":7411", "on", null));
    }

    @Test
    void noSpellingOfANodeEndpointReachesAHandlerWithoutAToken() throws Exception {
        List<AuditEvent> auditBefore = service.call(c -> c.audit(1000));
        List<String> nodesBefore = service.call(c -> c.nodes()).stream().map(NodeView::name).toList();
        List<String> table = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Probe p : NODE_SPELLINGS) {
            RawHttp.Response r = RawHttp.send(port, p.method(), p.target(), null, "PUT".equals(p.method()) ? nodeBody("zz") : null);
            table.add("PROBE | " + p.method() + " " + p.target() + " | " + r.status());
            boolean refused = r.status() == 400
                    || r.status() == 401 && r.header("WWW-Authenticate") != null && r.header("WWW-Authenticate").startsWith("Bearer");
            if (!refused) failures.add(p.method() + " " + p.target() + " answered " + r.status() + " " + r.body());
        }
        table.forEach(System.out::println);
        assertThat(failures).as("spellings that were neither rejected (400) nor asked for a token (401)").isEmpty();
        assertThat(service.<List<AuditEvent>>call(c -> c.audit(1000))).as("no write reached the coordinator").isEqualTo(auditBefore);
        assertThat(service.call(c -> c.nodes()).stream().map(NodeView::name).toList()).isEqualTo(nodesBefore);
    }

    @Test
    void noSpellingOfAProtectedPathReachesAHandlerWithoutAToken() throws Exception {
        List<AuditEvent> auditBefore = service.call(c -> c.audit(1000));
        List<String> replicasBefore = service.call(c -> c.replicas()).stream().map(ReplicaView::id).toList();
        String zz = json.writeValueAsString(Heartbeats.empty("zz", "izz", 0));

        List<String> table = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Probe p : SPELLINGS) {
            RawHttp.Response r = RawHttp.send(port, p.method(), p.target(), null, p.heartbeat() ? zz : null);
            table.add("PROBE | " + p.method() + " " + p.target() + " | " + r.status());
            boolean refused = r.status() == 400
                    || r.status() == 401 && r.header("WWW-Authenticate") != null && r.header("WWW-Authenticate").startsWith("Bearer");
            if (!refused) failures.add(p.method() + " " + p.target() + " answered " + r.status() + " " + r.body());
        }
        table.forEach(System.out::println);

        assertThat(failures).as("spellings that were neither rejected (400) nor asked for a token (401)").isEmpty();
        List<AuditEvent> auditAfter = service.call(c -> c.audit(1000));
        List<String> replicasAfter = service.call(c -> c.replicas()).stream().map(ReplicaView::id).toList();
        assertThat(auditAfter).as("no write reached the coordinator").isEqualTo(auditBefore);
        assertThat(replicasAfter).as("no heartbeat reached it").isEqualTo(replicasBefore);
    }

    @Test
    void theFirewallRejectsNonCanonicalPathsWithProblemJsonEvenWithAToken() throws Exception {
        for (String target : List.of("/api;x/v1/assignment", "/api/v1/x/%2e%2e/assignment", "/x/../api/v1/assignment", "//api/v1/assignment", "/api%2Fv1/assignment")) {
            RawHttp.Response r = RawHttp.send(port, "GET", target, "spelling-admin", null);
            assertThat(r.status()).as(target).isEqualTo(400);
            if (r.header("Content-Type") != null && r.header("Content-Type").startsWith("application/problem+json")) {
                assertThat(r.body()).contains("\"status\":400");
            }
        }
        RawHttp.Response r = RawHttp.send(port, "GET", "/api;x/v1/assignment", "spelling-admin", null);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.body()).contains("Request rejected");
    }

    @Test
    void theCanonicalSpellingsStillWorkWithTheirTokens() throws Exception {
        assertThat(RawHttp.send(port, "GET", "/api/v1/assignment", "spelling-reader", null).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/%61pi/v1/assignment", "spelling-reader", null).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "POST", "/api/v1/rebalance", "spelling-reader", null).status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "POST", "/%61pi/v1/rebalance", "spelling-reader", null).status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "POST", "/api/v1/rebalance", "spelling-admin", null).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/api/v1/assignment", "spelling-replica", null).status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "PUT", "/internal/v1/nodes/b", "spelling-node", nodeBody("b")).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "PUT", "/%69nternal/v1/nodes/%63", "spelling-node", nodeBody("c")).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "PUT", "/internal/v1/nodes/d", "spelling-admin", nodeBody("d")).status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "GET", "/api/v1/nodes", "spelling-reader", null).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/api/v1/nodes", "spelling-node", null).status()).isEqualTo(403);
    }

    @Test
    void thePublicPathsAnswerWithoutAToken() throws Exception {
        for (String target : List.of("/", "/index.html", "/console/app.js", "/console/console.css", "/console/favicon.svg",
                "/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness", "/actuator/prometheus",
                "/actuator/metrics", "/actuator/info", "/v3/api-docs", "/swagger-ui/index.html")) {
            RawHttp.Response r = RawHttp.send(port, "GET", target, null, null);
            assertThat(r.status()).as(target).isEqualTo(200);
        }
        assertThat(RawHttp.send(port, "GET", "/swagger-ui.html", null, null).status()).as("/swagger-ui.html").isIn(200, 302);
        assertThat(RawHttp.send(port, "GET", "/actuator/prometheus", null, null).body()).contains("tsfleet_coordinator_auth_refusals_total");
    }

    @Test
    void pathsOnNoListAreDenied() throws Exception {
        for (String target : List.of("/actuator", "/actuator/env", "/actuator/beans", "/nothing-here", "/favicon.ico", "/error", "/internal/v1/other")) {
            RawHttp.Response r = RawHttp.send(port, "GET", target, null, null);
            assertThat(r.status()).as(target + " without a token").isEqualTo(401);
        }
        assertThat(RawHttp.send(port, "GET", "/nothing-here", "spelling-admin", null).status()).as("an admin token does not open unlisted paths").isEqualTo(403);
        assertThat(RawHttp.send(port, "POST", "/actuator/health", null, null).status()).as("public paths are read-only").isEqualTo(401);
    }
}
