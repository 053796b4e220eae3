package io.tsfleet.emulator.api;

import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.U32;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The service end to end: control API, broker, metrics. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.emulator.broker.port=0", "tsfleet.emulator.workload.enabled=true", "tsfleet.emulator.workload.base-rate=0",
        "tsfleet.emulator.kernel.possible-cpus=0-7", "tsfleet.emulator.kernel.nr-cpus=64"})
class ControlApiTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    BrokerServer broker;

    @Autowired
    EmulatedKernel kernel;

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void injectedExitsReachARegisteredListenerWithTheSequenceNumbersTheApiReports() throws Exception {
        try (BrokerTestClient c = BrokerTestClient.open(new InetSocketAddress("127.0.0.1", broker.port()), null)) {
            assertThat(c.request(MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).string(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, "3")
                    .build(c.taskstatsFamily(), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, 0)).errno()).isZero();
            HttpResponse<String> r = call("POST", "/api/v1/exits", "{\"cpu\":3,\"threads\":2,\"comm\":\"batch\",\"exitCode\":4,"
                    + "\"fields\":{\"cpu_delay_total\":123456}}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"seq\":0").contains("\"seq\":1").contains("\"length\":1172");
            var events = c.drainUntilBarrier().stream().filter(m -> m.type() == c.taskstatsFamily()).toList();
            assertThat(events).hasSize(2);
            assertThat(events.get(1).seq()).isEqualTo(1);

            HttpResponse<String> cpus = call("GET", "/api/v1/cpus?cpus=3&listening=true", null);
            assertThat(cpus.body()).contains("\"cpu\":3").contains("\"nextSeq\":2").contains("\"listeners\":1");
            assertThat(call("GET", "/api/v1/listeners", null).body()).contains("\"portId\":" + U32.toLong(c.portId()));
        }
    }

    @Test
    void badBodiesAreProblemsAndChangeNothing() throws Exception {
        long exits = kernel.counters().exits();
        for (String body : new String[] {"{\"cpu\":99}", "{\"threads\":2}", "{\"cpu\":1,\"fields\":{\"no_such\":1}}", "{\"cpu\":1,\"exitCode\":300}",
                "{\"cpu\":1,\"count\":5,\"tgid\":77}", "not json", "{\"cpu\":1,\"exitCode\":1,\"signal\":9}"}) {
            HttpResponse<String> r = call("POST", "/api/v1/exits", body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        }
        assertThat(kernel.counters().exits()).isEqualTo(exits);
        String before = call("GET", "/api/v1/workload", null).body();
        for (String body : new String[] {"{\"baseRate\":-1}", "{\"baseRate\":1,\"hotCpus\":\"0-99\"}", "{\"baseRate\":1,\"hotCpus\":\"x\"}",
                "{\"baseRate\":1,\"bursts\":[{\"cpus\":\"1\",\"factor\":2,\"startAfterMs\":0,\"durationMs\":0}]}"}) {
            assertThat(call("PUT", "/api/v1/workload", body).statusCode()).as(body).isEqualTo(400);
        }
        assertThat(call("GET", "/api/v1/workload", null).body()).isEqualTo(before);
    }

    @Test
    void workloadPlanIsAppliedAndMetricsAreExposed() throws Exception {
        HttpResponse<String> put = call("PUT", "/api/v1/workload", "{\"baseRate\":0,\"hotCpus\":\"2-3\",\"hotFactor\":4,"
                + "\"bursts\":[{\"cpus\":\"5\",\"factor\":10,\"startAfterMs\":100,\"durationMs\":1000}],"
                + "\"moving\":{\"width\":2,\"factor\":3,\"periodMs\":4000},\"seed\":5}");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(put.body()).contains("\"hotCpus\":\"2-3\"");
        String prom = call("GET", "/actuator/prometheus", null).body();
        for (String name : new String[] {"tsfleet_broker_exits_total", "tsfleet_broker_events_sent_total", "tsfleet_broker_events_dropped_total{node=\"", "reason=\"rcvbuf_full\"}",
                "tsfleet_broker_connections", "tsfleet_broker_listeners"}) {
            assertThat(prom).contains(name);
        }
        assertThat(prom).doesNotContain("cpu=\"");
        // the emulated kernel has no delay-accounting switch: it always fills the delay fields, and says so
        assertThat(prom).containsPattern("(?m)^tsfleet_broker_delay_accounting_enabled(\\{[^}]*\\})? 1\\.0$");
        assertThat(call("GET", "/actuator/info", null).body()).contains("\"delayAccounting\":{\"enabled\":true,\"state\":\"enabled\",\"source\":\"emulated\"");
        assertThat(call("GET", "/v3/api-docs", null).body()).contains("/api/v1/exits");
    }
}
