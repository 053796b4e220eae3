package io.tsfleet.coordinator.web;

import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.coordinator.domain.Validation;
import io.tsfleet.coordinator.domain.fleet.HeartbeatRefusal;
import io.tsfleet.coordinator.service.CoordinatorService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile heartbeats over real HTTP against the running service: each is refused with a clear problem, changes
 * nothing, and none holds the coordinator's lock while its body is parsed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.coordinator.possible-cpus=0-15",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=1h",
        "tsfleet.coordinator.max-members=20",
        "tsfleet.coordinator.security.admin-tokens=admin",
        "tsfleet.coordinator.security.replica-tokens=replica"})
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class HeartbeatAbuseHttpTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;
    @Autowired
    CoordinatorService service;

    private static String heartbeat(String id, String incarnation, String generation, String owned) {
        return "{\"replicaId\":\"" + id + "\",\"incarnation\":\"" + incarnation + "\",\"generation\":" + generation
                + ",\"state\":\"ACTIVE\",\"capacityPerSecond\":0,\"recordsTotal\":0,\"lostTotal\":0,\"enobufsTotal\":0,\"duplicatesTotal\":0,"
                + "\"nodes\":[{\"node\":\"" + Heartbeats.NODE + "\",\"ownedCpus\":\"" + owned + "\",\"cpuRates\":[],\"cpuLost\":[],\"firstSeqs\":{},\"released\":\"\"}]}";
    }

    private HttpResponse<String> post(String id, HttpRequest.BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/internal/v1/replicas/" + id + "/heartbeat"))
                .header("Authorization", "Bearer replica").header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String id, String body) throws Exception {
        return post(id, HttpRequest.BodyPublishers.ofString(body));
    }

    private static JsonNode problem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        return JSON.readTree(r.body());
    }

    private static String repeated(String group, int count) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) b.append(i == 0 ? "" : ",").append(group);
        return b.toString();
    }

    @Test
    void aGenerationOfLongMaxValueIsRefusedAndTheGenerationStaysPut() throws Exception {
        assertThat(post("gen", heartbeat("gen", "i1", "0", "")).statusCode()).isEqualTo(200);
        long before = service.call(c -> c.generation());

        JsonNode p = problem(post("gen", heartbeat("gen", "i1", String.valueOf(Long.MAX_VALUE), "")), 400);
        assertThat(p.get("detail").asString()).contains("beyond any generation");
        JsonNode q = problem(post("gen", heartbeat("gen", "i1", String.valueOf(before + 1000), "")), 409);
        assertThat(q.get("detail").asString()).contains("never issued");

        long after = service.call(c -> c.generation());
        assertThat(after).isEqualTo(before).isPositive();
        assertThat(post("gen", heartbeat("gen", "i1", String.valueOf(before), "")).statusCode()).isEqualTo(200);
    }

    @Test
    void aHeartbeatOfTheSingleNodeWireFormatIsRefusedNotReadAsOwningNothing() throws Exception {
        String old = "{\"replicaId\":\"old\",\"incarnation\":\"i\",\"generation\":0,\"state\":\"ACTIVE\",\"ownedCpus\":\"0-3\","
                + "\"capacityPerSecond\":0,\"cpuRates\":[1,1,1,1],\"cpuLost\":[],\"recordsTotal\":0,\"lostTotal\":0,\"enobufsTotal\":0,"
                + "\"duplicatesTotal\":0,\"firstSeqs\":{},\"released\":\"\"}";
        HttpResponse<String> r = post("old", old);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(service.call(c -> c.replicas()).stream().map(v -> v.id()).toList()).doesNotContain("old");
    }

    @Test
    void aSecondIncarnationOfALiveReplicaGets409WithTheLeaseEndAndTheReplicaKeepsItsMask() throws Exception {
        assertThat(post("victim", heartbeat("victim", "real", "0", "")).statusCode()).isEqualTo(200);
        String target = service.call(c -> c.directiveFor("victim").target(Heartbeats.NODE).targetCpus());

        JsonNode p = problem(post("victim", heartbeat("victim", "evil", "0", "")), 409);
        assertThat(p.get("detail").asString()).contains("live with incarnation real").contains("accepted once that lease expires at");

        String incarnation = service.call(c -> c.replica("victim").incarnation());
        assertThat(incarnation).isEqualTo("real");
        HttpResponse<String> real = post("victim", heartbeat("victim", "real", "0", ""));
        assertThat(real.statusCode()).isEqualTo(200);
        assertThat(JSON.readValue(real.body(), io.tsfleet.protocol.fleet.ReplicaDirective.class).target(Heartbeats.NODE).targetCpus()).isEqualTo(target);
        assertThat(service.status().refusedHeartbeats()).containsKey(HeartbeatRefusal.INCARNATION_LIVE.label());
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // it fills the fleet: the last one
    void aFloodOfReplicaIdsStopsAtTheMemberLimit() throws Exception {
        int before = service.call(c -> c.replicas().size());
        int accepted = 0, refused = 0;
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> r = post("flood-" + i, heartbeat("flood-" + i, "x", "0", ""));
            if (r.statusCode() == 200) accepted++;
            else {
                assertThat(problem(r, 409).get("detail").asString()).contains("20 members, the limit");
                refused++;
            }
        }
        assertThat(accepted).isEqualTo(20 - before);
        assertThat(refused).isEqualTo(60 - accepted);
        int members = service.call(c -> c.replicas().size());
        assertThat(members).isEqualTo(20);
        assertThat(service.status().refusedHeartbeats().get(HeartbeatRefusal.MEMBER_LIMIT.label())).isGreaterThanOrEqualTo(refused);
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("tsfleet_coordinator_heartbeats_refused_total\\{[^}]*reason=\"member-limit\"[^}]*} " + refused + ".0")
                .contains("tsfleet_coordinator_heartbeats_refused_total{application=\"tsfleet-coordinator\",reason=\"invalid\"}")
                .contains("tsfleet_coordinator_requests_too_large_total");
    }

    @Test
    void aBodyAboveTheLimitGets413BeforeAnythingReadsIt() throws Exception {
        byte[] big = heartbeat("big", "i", "0", "0-" + "7".repeat(2_000_000)).getBytes(StandardCharsets.UTF_8);
        JsonNode p = problem(post("big", HttpRequest.BodyPublishers.ofByteArray(big)), 413);
        assertThat(p.get("detail").asString()).contains("larger than the limit of 1048576 bytes");
        // the same without a Content-Length (chunked): read up to the limit, then refused
        JsonNode q = problem(post("big", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))), 413);
        assertThat(q.get("detail").asString()).contains("larger than the limit");
        boolean joined = service.call(c -> c.replicas().stream().anyMatch(r -> r.id().equals("big")));
        assertThat(joined).isFalse();
        // a chunked body within the limit still works
        HttpResponse<String> ok = post("chunked", HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(heartbeat("chunked", "i", "0", "").getBytes(StandardCharsets.UTF_8))));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    }

    @Test
    void aCpulistLongerThanTheKernelsLimitIsRefusedBeforeParsing() throws Exception {
        String cpulist = repeated("0-8191:1/1", 20_000); // 220 KB: took the lock for 1.7 s
        service.takeLongestLockHoldNanos();
        long t0 = System.nanoTime();
        JsonNode p = problem(post("long", heartbeat("long", "i", "0", cpulist)), 400);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(p.get("detail").asString()).contains("nodes[0].ownedCpus is " + cpulist.length() + " characters long")
                .contains("at most " + Validation.MAX_CPULIST_LENGTH);
        assertThat(Duration.ofNanos(service.takeLongestLockHoldNanos())).as("lock held (answered in %d ms)", millis)
                .isLessThan(Duration.ofMillis(50));
    }

    @Test
    void anExpensiveCpulistWithinTheLimitIsParsedOutsideTheLock() throws Exception {
        assertThat(post("steady", heartbeat("steady", "i", "0", "")).statusCode()).isEqualTo(200);
        String cpulist = repeated("0-8191:1/1", (Validation.MAX_CPULIST_LENGTH + 1) / 11); // 8192 CPUs named 4 477 times
        assertThat(cpulist.length()).isLessThanOrEqualTo(Validation.MAX_CPULIST_LENGTH);
        service.takeLongestLockHoldNanos();
        long t0 = System.nanoTime();
        JsonNode p = problem(post("costly", heartbeat("costly", "i", "0", cpulist)), 400); // parsed, then: no rates for 8192 CPUs
        long requestNanos = System.nanoTime() - t0;
        long lockNanos = service.takeLongestLockHoldNanos();
        assertThat(p.get("detail").asString()).contains("nodes[0].cpuRates has 0 entries for 8192 owned CPUs");
        assertThat(lockNanos).as("lock held %d us while the request took %d us", lockNanos / 1000, requestNanos / 1000)
                .isLessThan(requestNanos / 4);
        assertThat(service.invalidHeartbeats()).isPositive();
    }
}
