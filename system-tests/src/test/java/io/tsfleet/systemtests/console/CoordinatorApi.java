package io.tsfleet.systemtests.console;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** The coordinator's admin API as the test reads it, independently of the page. */
final class CoordinatorApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;
    private final String token;

    CoordinatorApi(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1" + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).GET().build();
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new AssertionError("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The HTTP status of a GET of any path of the coordinator, with the given token (none when null). */
    static int statusOf(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The assignment's committed owner of every possible CPU (null for none), from {@code GET /assignment}. */
    static Map<Integer, String> ownersByCpu(JsonNode assignment) {
        Map<Integer, String> owners = new TreeMap<>();
        cpus(assignment.get("possibleCpus").asString()).forEach(c -> owners.put(c, null));
        for (Map.Entry<String, JsonNode> e : assignment.get("owners").properties()) {
            String replica = e.getKey();
            cpus(e.getValue().asString()).forEach(c -> owners.put(c, replica));
        }
        return owners;
    }

    /**
     * The committed owner of every slot of a fleet whose assignment names nodes ({@code node-1:0-15;node-2:0-7}), keyed
     * {@code node:cpu} as the console's cells are, from {@code GET /assignment}.
     */
    static Map<String, String> ownersBySlot(JsonNode assignment) {
        Map<String, String> owners = new TreeMap<>();
        slots(assignment.get("possibleCpus").asString()).forEach((node, cpus) -> cpus.forEach(c -> owners.put(node + ":" + c, null)));
        for (Map.Entry<String, JsonNode> e : assignment.get("owners").properties()) {
            String replica = e.getKey();
            slots(e.getValue().asString()).forEach((node, cpus) -> cpus.forEach(c -> owners.put(node + ":" + c, replica)));
        }
        return owners;
    }

    /** A slot set of the admin API on a fleet of several nodes ({@code node-1:0-15;node-2:4-7}): node to CPUs, in the written order. */
    static Map<String, CpuSet> slots(String slotSet) {
        Map<String, CpuSet> out = new java.util.LinkedHashMap<>();
        if (slotSet.isBlank()) return out;
        for (String part : slotSet.split(";")) {
            int colon = part.indexOf(':');
            if (colon <= 0) throw new AssertionError("not a slot set of several nodes: '" + slotSet + "'");
            out.put(part.substring(0, colon), cpus(part.substring(colon + 1)));
        }
        return out;
    }

    /** Settled: no uncovered CPU, no handover, no pending move, no release, every owner's target equal to its owned mask. */
    static boolean settled(JsonNode assignment) {
        return assignment.get("uncoveredCpus").asString().isEmpty() && assignment.get("handovers").isEmpty()
                && assignment.get("pendingMoves").asInt() == 0 && assignment.get("releases").isEmpty()
                && assignment.get("owners").equals(assignment.get("targets"));
    }

    static CpuSet cpus(String cpulist) {
        try {
            return CpuSet.parse(cpulist);
        } catch (CpulistParseException e) {
            throw new AssertionError("the coordinator answered a bad cpulist '" + cpulist + "': " + e.getMessage(), e);
        }
    }
}
