package io.tsfleet.emulator.api;

import io.tsfleet.testing.RawHttp;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The control API with {@code tsfleet.emulator.api.token}: every write needs it, from loopback too; reads stay open. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.emulator.broker.port=0", "tsfleet.emulator.workload.enabled=true", "tsfleet.emulator.workload.base-rate=0",
        "tsfleet.emulator.kernel.possible-cpus=0-7", "tsfleet.emulator.kernel.nr-cpus=64",
        "tsfleet.emulator.api.token=" + ControlApiWithTokenTest.TOKEN})
class ControlApiWithTokenTest {
    static final String TOKEN = "s3cret-control-token";
    private static final String[][] WRITES = {{"POST", "/api/v1/exits", "{\"cpu\":1}"}, {"POST", "/api/v1/tasks", "{\"threads\":2}"},
            {"PUT", "/api/v1/workload", "{\"baseRate\":0,\"seed\":9}"}};

    @LocalServerPort
    int port;

    @Autowired
    EmulatedKernel kernel;

    private RawHttp.Response send(InetAddress from, String method, String target, String body, String... headers) throws Exception {
        return RawHttp.send(from, port, method, target, body, headers);
    }

    @Test
    void writesWithoutTheTokenAre401AndChangeNothingEvenFromLoopback() throws Exception {
        long exits = kernel.counters().exits();
        int live = kernel.liveTasks();
        String plan = send(RawHttp.loopback(), "GET", "/api/v1/workload", null).body();
        for (String[] w : WRITES) {
            for (String[] auth : new String[][] {{}, {"Authorization: Bearer wrong"}, {"Authorization: Bearer " + TOKEN + "x"},
                    {"Authorization: Basic " + TOKEN}, {"Authorization: Bearer"}}) {
                RawHttp.Response r = send(RawHttp.loopback(), w[0], w[1], w[2], auth);
                assertThat(r.status()).as(w[1] + " " + String.join(",", auth)).isEqualTo(401);
                assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
                assertThat(r.header("Content-Type")).contains("application/problem+json");
            }
        }
        assertThat(kernel.counters().exits()).isEqualTo(exits);
        assertThat(kernel.liveTasks()).isEqualTo(live);
        assertThat(send(RawHttp.loopback(), "GET", "/api/v1/workload", null).body()).isEqualTo(plan);
    }

    @Test
    void writesWithTheTokenWorkFromAnywhere() throws Exception {
        InetAddress from = RawHttp.nonLoopbackAddress().orElse(RawHttp.loopback());
        long exits = kernel.counters().exits();
        int live = kernel.liveTasks();
        for (String[] w : WRITES) {
            RawHttp.Response r = send(from, w[0], w[1], w[2], "Authorization: Bearer " + TOKEN);
            assertThat(r.status()).as(w[1]).isEqualTo(200);
        }
        assertThat(kernel.counters().exits()).isEqualTo(exits + 1);
        assertThat(kernel.liveTasks()).isEqualTo(live + 2);
        assertThat(send(from, "GET", "/api/v1/workload", null).body()).contains("\"seed\":9");
    }

    @Test
    void readsNeedNoToken() throws Exception {
        InetAddress from = RawHttp.nonLoopbackAddress().orElse(RawHttp.loopback());
        for (String read : new String[] {"/api/v1/cpus", "/api/v1/listeners", "/api/v1/workload", "/actuator/health", "/actuator/prometheus"}) {
            assertThat(send(from, "GET", read, null).status()).as(read).isEqualTo(200);
        }
    }

    @Test
    void oddSpellingsOfAWritePathGetNoFurtherWithoutTheToken() throws Exception {
        long exits = kernel.counters().exits();
        for (String target : new String[] {"/%61pi/v1/exits", "/api/v1/%65xits"}) {
            assertThat(send(RawHttp.loopback(), "POST", target, "{\"cpu\":0}").status()).as(target).isEqualTo(401);
        }
        for (String target : new String[] {"/api/v1/exits;x", "//api/v1/exits", "/x/../api/v1/exits", "/api/v1/./exits", "/api/v1/%2e/exits"}) {
            assertThat(send(RawHttp.loopback(), "POST", target, "{\"cpu\":0}").status()).as(target).isEqualTo(400);
        }
        assertThat(kernel.counters().exits()).isEqualTo(exits);
    }
}
