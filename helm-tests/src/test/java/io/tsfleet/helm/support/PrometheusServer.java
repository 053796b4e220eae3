package io.tsfleet.helm.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsfleet.testing.FreePorts;
import io.tsfleet.testing.ServiceProcess;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A real Prometheus (Debian's package) on 127.0.0.1, scraping given targets and evaluating given rules. */
public final class PrometheusServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** SIGTERM, then SIGKILL after this. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final ServiceProcess process;
    private final String base;

    private PrometheusServer(ServiceProcess process, int port) {
        this.process = process;
        this.base = "http://127.0.0.1:" + port;
    }

    /**
     * Starts Prometheus; {@code jobs} maps a job name to its host:port targets (all on /actuator/prometheus), each
     * target labelled {@code fleet} as the chart's monitors label a release's.
     */
    public static PrometheusServer start(Path dir, Map<String, List<String>> jobs, Path rules, String fleet) throws IOException {
        Path binary = Path.of("/usr/bin/prometheus");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("no /usr/bin/prometheus: apt-get install --no-install-recommends prometheus (.ci/run does)");
        }
        Files.createDirectories(dir);
        Files.copy(rules, dir.resolve("rules.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [rules.yaml]
                scrape_configs:
                """);
        jobs.forEach((job, targets) -> config.append("  - job_name: ").append(job).append('\n')
                .append("    metrics_path: /actuator/prometheus\n")
                .append("    static_configs: [{targets: [")
                .append(String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())).append("], labels: {fleet: '")
                .append(fleet).append("'}}]\n"));
        Files.writeString(dir.resolve("prometheus.yml"), config);
        int port = FreePorts.free();
        ServiceProcess process = ServiceProcess.startIn("prometheus", List.of(binary.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port), dir, STOP_GRACE);
        PrometheusServer server = new PrometheusServer(process, port);
        process.awaitHttp(server.base + "/-/ready", "Ready", Duration.ofSeconds(60));
        return server;
    }

    /** An instant query; the JSON answer whatever its status. */
    public JsonNode query(String promql) {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** The result vector of a successful query. */
    public List<JsonNode> vector(String promql) {
        JsonNode answer = query(promql);
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException(promql + ": " + answer);
        }
        List<JsonNode> result = new ArrayList<>();
        answer.at("/data/result").forEach(result::add);
        return result;
    }

    /** Every metric name Prometheus has stored. */
    public Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        get("/api/v1/label/__name__/values").path("data").forEach(n -> names.add(n.asText()));
        return names;
    }

    public JsonNode rules() {
        return get("/api/v1/rules");
    }

    public JsonNode targets() {
        return get("/api/v1/targets");
    }

    public void await(String what, Duration timeout, java.util.function.Supplier<Boolean> condition) {
        process.await(what, timeout, condition::get);
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return Manifests.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
