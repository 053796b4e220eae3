package io.tsfleet.coordinator.web;

import io.tsfleet.coordinator.domain.AuditEvent;
import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.domain.view.NodeView;
import io.tsfleet.coordinator.domain.view.ReplicaView;
import io.tsfleet.coordinator.security.SecurityRefusals;
import io.tsfleet.coordinator.security.SecurityRefusals.Reason;
import io.tsfleet.coordinator.service.CoordinatorService;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.testing.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Node tokens bound to one node ({@code node-tokens} entries {@code <node>=<token>}) over real HTTP against the
 * running server in cluster mode: a bound token announces and withdraws its own node only; announcing or withdrawing
 * another node (by name, by an encoded name, a node that is live or one that does not exist) is 403 {@code wrong_node},
 * counted, and changes nothing (nodes, audit log); an unbound token still speaks for every node; a bound token does
 * nothing but its node's lease.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.security.admin-tokens=bound-admin",
        "tsfleet.coordinator.security.read-tokens=bound-reader",
        "tsfleet.coordinator.security.node-tokens=worker-1=token-of-worker-1, worker-2=token-of-worker-2,any-node-agent"})
class BoundNodeTokenHttpTest {
    static final String BOOT = "0f6c3a52-5d1e-4d8e-9a51-3b1c2d4e5f60";

    @LocalServerPort
    int port;
    @Autowired
    CoordinatorService service;
    @Autowired
    InMemoryAssignmentStore store;
    @Autowired
    SecurityRefusals refusals;
    @Autowired
    JsonMapper json;

    @BeforeEach
    void empty() {
        service.stop();
        store.clear();
        service.start();
    }

    RawHttp.Response announce(String pathName, String bodyName, String token, String broker) throws IOException {
        return RawHttp.send(port, "PUT", "/internal/v1/nodes/" + pathName, token,
                json.writeValueAsString(new NodeAnnouncement(bodyName, BOOT, "0-7", broker, "on", null)));
    }

    RawHttp.Response withdraw(String pathName, String token) throws IOException {
        return RawHttp.send(port, "DELETE", "/internal/v1/nodes/" + pathName, token, null);
    }

    List<String> nodes() {
        return service.call(c -> c.nodes()).stream().map(n -> n.name() + "@" + n.broker()).toList();
    }

    @Test
    void aBoundTokenAnnouncesAndWithdrawsItsOwnNode() throws Exception {
        assertThat(announce("worker-1", "worker-1", "token-of-worker-1", "10.0.0.1:7411").status()).isEqualTo(200);
        assertThat(nodes()).containsExactly("worker-1@10.0.0.1:7411");
        assertThat(withdraw("worker-1", "token-of-worker-1").status()).isEqualTo(204);
        assertThat(nodes()).isEmpty();
    }

    @Test
    void aBoundTokenAnnouncingAnotherNodeIsRefusedCountedAndChangesNothing() throws Exception {
        assertThat(announce("worker-2", "worker-2", "token-of-worker-2", "10.0.0.2:7411").status()).isEqualTo(200);
        List<String> before = nodes();
        List<AuditEvent> auditBefore = service.call(c -> c.audit(1000));
        long wrongNode = refusals.refused(Reason.WRONG_NODE);
        // the live worker-2 with a broker of the attacker's choosing, an invented node, the same by an encoded name
        for (String[] attempt : List.of(new String[]{"worker-2", "worker-2"}, new String[]{"invented-9", "invented-9"},
                new String[]{"%77orker-2", "worker-2"})) {
            RawHttp.Response r = announce(attempt[0], attempt[1], "token-of-worker-1", "evil.example:7411");
            assertThat(r.status()).as(attempt[0]).isEqualTo(403);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            assertThat(r.body()).contains("the node credential of 'worker-1'").contains("cannot announce or withdraw node '" + attempt[1] + "'")
                    .doesNotContain("token-of");
        }
        assertThat(refusals.refused(Reason.WRONG_NODE)).isEqualTo(wrongNode + 3);
        assertThat(RawHttp.send(port, "GET", "/actuator/prometheus", null, null).body())
                .containsPattern("tsfleet_coordinator_auth_refusals_total\\{[^}]*reason=\"wrong_node\"[^}]*} " + (wrongNode + 3) + "\\.0");
        assertThat(nodes()).isEqualTo(before);
        assertThat(service.<List<AuditEvent>>call(c -> c.audit(1000))).isEqualTo(auditBefore);
    }

    @Test
    void aBoundTokenCannotWithdrawAnotherNode() throws Exception {
        assertThat(announce("worker-2", "worker-2", "token-of-worker-2", "10.0.0.2:7411").status()).isEqualTo(200);
        long wrongNode = refusals.refused(Reason.WRONG_NODE);
        RawHttp.Response r = withdraw("worker-2", "token-of-worker-1");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("cannot announce or withdraw node 'worker-2'");
        assertThat(withdraw("%77orker-2", "token-of-worker-1").status()).isEqualTo(403);
        assertThat(refusals.refused(Reason.WRONG_NODE)).isEqualTo(wrongNode + 2);
        assertThat(nodes()).containsExactly("worker-2@10.0.0.2:7411");
        assertThat(service.call(c -> c.audit(10)).getFirst().type()).isEqualTo("node-joined");
    }

    @Test
    void aBoundTokenMayNotNameAnotherNodeInTheBody() throws Exception {
        RawHttp.Response r = announce("worker-1", "worker-2", "token-of-worker-1", "10.0.0.1:7411");
        assertThat(r.status()).isEqualTo(400);
        assertThat(nodes()).isEmpty();
    }

    @Test
    void anUnboundTokenStillSpeaksForEveryNode() throws Exception {
        assertThat(announce("worker-1", "worker-1", "any-node-agent", "10.0.0.1:7411").status()).isEqualTo(200);
        assertThat(announce("invented-9", "invented-9", "any-node-agent", "10.0.0.9:7411").status()).isEqualTo(200);
        assertThat(withdraw("worker-1", "any-node-agent").status()).isEqualTo(204);
        assertThat(nodes()).containsExactly("invented-9@10.0.0.9:7411");
    }

    @Test
    void aBoundTokenDoesNothingElse() throws Exception {
        String hb = json.writeValueAsString(Heartbeats.empty("worker-1", "i-1", 0));
        assertThat(RawHttp.send(port, "POST", "/internal/v1/replicas/worker-1/heartbeat", "token-of-worker-1", hb).status()).isEqualTo(403);
        assertThat(service.call(c -> c.replicas()).stream().map(ReplicaView::id).toList()).isEmpty();
        assertThat(RawHttp.send(port, "GET", "/api/v1/nodes", "token-of-worker-1", null).status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "POST", "/api/v1/rebalance", "token-of-worker-1", null).status()).isEqualTo(403);
        assertThat(service.call(c -> c.nodes()).stream().map(NodeView::name).toList()).isEmpty();
    }
}
