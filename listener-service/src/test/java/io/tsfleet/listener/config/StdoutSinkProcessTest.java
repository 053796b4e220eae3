package io.tsfleet.listener.config;

import io.tsfleet.listener.ListenerApplication;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service with {@code tsfleet.listener.sink=stdout}, started as a process of its own: its standard output holds
 * the records' JSON lines and nothing else (the logs and the banner go to standard error), and a standard output whose
 * reader went away (a closed pipe) costs counted records, not the process.
 */
class StdoutSinkProcessTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");
    private final List<Process> started = new ArrayList<>();
    private FakeBroker broker;

    @AfterEach
    void stop() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (broker != null) broker.close();
    }

    private Process start(ProcessBuilder.Redirect stdout, Path stderr) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), ListenerApplication.class.getName(),
                "--server.port=0", "--tsfleet.listener.broker=" + broker.address(), "--tsfleet.listener.broker-token=tok",
                "--tsfleet.listener.static-mask=0-1", "--tsfleet.listener.id=replica-stdout", "--tsfleet.listener.sink=stdout"))
                .redirectOutput(stdout).redirectError(stderr.toFile());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Until the start-up is logged (looked for on both streams: where it lands is what the first test checks). */
    private void awaitStarted(Process p, Path stderr, Path stdout) throws InterruptedException {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> !p.isAlive()
                || Files.readString(stderr).contains("Started ListenerApplication")
                || stdout != null && Files.readString(stdout).contains("Started ListenerApplication"));
        assertThat(p.isAlive()).as("the replica runs: %s", stderr).isTrue();
        broker.awaitListeners(0, 1, 30_000);
        broker.awaitListeners(1, 1, 30_000);
    }

    @Test
    void standardOutputHoldsOnlyTheRecordsJsonLines(@TempDir Path dir) throws Exception {
        broker = new FakeBroker("tok", 2).start();
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = start(ProcessBuilder.Redirect.to(out.toFile()), err);
        awaitStarted(p, err, out);
        for (int i = 0; i < 50; i++) broker.exit(i % 2, 1000 + i, "job-" + i, i % 7 == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readAllLines(out).size() >= 50);
        p.destroy(); // SIGTERM: the graceful stop logs too, to standard error
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        List<String> lines = Files.readAllLines(out);
        assertThat(lines).as("standard output: records only").hasSize(50);
        for (String line : lines) {
            JsonNode record = JSON.readTree(line);
            assertThat(record.get("replica").asString()).isEqualTo("replica-stdout");
            assertThat(record.get("comm").asString()).startsWith("job-");
            assertThat(record.get("scope").asString()).isIn("process", "group");
        }
        String log = Files.readString(err);
        assertThat(log).contains("Started ListenerApplication").contains("Spring Boot").contains("sink");
    }

    @Test
    void aClosedStandardOutputIsCountedAsSinkErrorsAndTheReplicaKeepsRunning(@TempDir Path dir) throws Exception {
        broker = new FakeBroker("tok", 2).start();
        Path err = dir.resolve("stderr");
        Process p = start(ProcessBuilder.Redirect.PIPE, err);
        p.getInputStream().close(); // nobody reads the records: writes to standard output fail with EPIPE
        awaitStarted(p, err, null);
        Matcher m = PORT.matcher(Files.readString(err));
        assertThat(m.find()).as("the HTTP port in the log").isTrue();
        URI prometheus = URI.create("http://127.0.0.1:" + m.group(1) + "/actuator/prometheus");
        HttpClient http = HttpClient.newHttpClient();

        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 40; i++) broker.exit(i % 2, 2000 + i, "lost", false);
            Thread.sleep(300);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> sinkErrors(http, prometheus) >= 120);
        assertThat(sinkErrors(http, prometheus)).as("every record that could not be written, once").isEqualTo(120);
        assertThat(p.isAlive()).isTrue();
        assertThat(http.send(HttpRequest.newBuilder(prometheus.resolve("/actuator/health/liveness")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
    }

    private static double sinkErrors(HttpClient http, URI prometheus) throws IOException, InterruptedException {
        String text = http.send(HttpRequest.newBuilder(prometheus).build(), HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith("tsfleet_listener_sink_errors_total")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
