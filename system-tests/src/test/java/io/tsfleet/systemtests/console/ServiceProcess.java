package io.tsfleet.systemtests.console;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One service JVM started from its jar, its output in a log file, stopped with SIGTERM (then SIGKILL). */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int httpPort;
    private final Path log;
    private final Process process;

    private ServiceProcess(String name, int httpPort, Path log, Process process) {
        this.name = name;
        this.httpPort = httpPort;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code java -jar jar args} in {@code workDir}, logging to {@code workDir/name.log}. */
    static ServiceProcess start(String name, Path jar, int httpPort, Path workDir, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dtsfleet.console-it.process=" + name, "-jar", jar.toString(), "--server.address=127.0.0.1", "--server.port=" + httpPort));
        command.addAll(args);
        Path log = workDir.resolve(name + ".log");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        return new ServiceProcess(name, httpPort, log, p);
    }

    String name() {
        return name;
    }

    String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** Waits until {@code /actuator/health} answers UP; fails with the log's last lines when the process dies or time runs out. */
    void awaitHealthy(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (!process.isAlive()) throw new IllegalStateException(name + " exited with " + process.exitValue() + " during start-up\n" + tail(40));
            if (healthy()) return;
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException(name + " did not report UP within " + timeout + "\n" + tail(40));
            Thread.sleep(500);
        }
    }

    private boolean healthy() throws InterruptedException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/actuator/health")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"UP\"");
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The last lines of the log. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "---- " + log + "\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log " + log + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
