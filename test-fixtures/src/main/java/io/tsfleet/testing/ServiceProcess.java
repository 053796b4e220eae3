package io.tsfleet.testing;

import java.io.IOException;
import java.net.URI;
import java.io.File;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A service under test started as its own process ({@code java -jar …} or any command), its output in a log file of
 * the run folder. {@link #close()} stops it (SIGTERM, then SIGKILL after a grace period) and its descendants; a JVM
 * shutdown hook stops whatever is still running when the harness ends or is interrupted, so no process outlives it.
 * A Spring Boot service started with {@link #start(String, Path, int, Path, List)} also knows its HTTP port
 * ({@link #url()}, {@link #awaitHealthy(Duration)}).
 */
public final class ServiceProcess implements AutoCloseable {
    private static final Set<ServiceProcess> RUNNING = ConcurrentHashMap.newKeySet();
    private static volatile boolean shuttingDown;
    private static volatile boolean ownSessions;
    private static final HttpClient HEALTH = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shuttingDown = true;                              // the main thread may still try to start the next service
            for (ServiceProcess p : List.copyOf(RUNNING)) p.close();
        }, "stop-services"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final Duration grace;
    /** The service's HTTP port on 127.0.0.1, or -1 when the launcher did not choose it. */
    private final int httpPort;

    private ServiceProcess(String name, Process process, Path log, Duration grace, int httpPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.grace = grace;
        this.httpPort = httpPort;
    }

    /**
     * From now on, every process is started in a session of its own ({@code setsid}), as a daemon or a container is:
     * with autogroup (or a cgroup per container) it is then its own CPU scheduling group, which is how an exit storm in
     * another group meets it in production. Off by default (the harness's session).
     */
    public static void launchInOwnSessions(boolean on) {
        ownSessions = on;
    }

    /** Starts {@code java [jvmArgs] -jar jar [appArgs]} with the harness's own Java, from the run's copy of the jar. */
    public static ServiceProcess startJar(String name, Path jar, List<String> jvmArgs, List<String> appArgs, Path runDir) throws IOException {
        Path snapshot = JarSnapshots.of(jar, runDir);
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(snapshot.toString());
        cmd.addAll(appArgs);
        return start(name, cmd, runDir, Duration.ofSeconds(20));
    }

    /**
     * Starts the Spring Boot service {@code java -jar jar --server.address=127.0.0.1 --server.port=httpPort args} (small
     * heap, quick JIT, {@code -Dtsfleet.local-fleet.process=name} to tell it apart in {@code ps}) in {@code workDir}, stdin
     * from /dev/null, logging to {@code workDir/name.log}; stopping it waits 30 s for SIGTERM ({@link LocalFleet}'s way).
     */
    public static ServiceProcess start(String name, Path jar, int httpPort, Path workDir, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dtsfleet.local-fleet.process=" + name, "-jar", jar.toString(), "--server.address=127.0.0.1", "--server.port=" + httpPort));
        command.addAll(args);
        return launch(name, command, workDir, Duration.ofSeconds(30), httpPort, true);
    }

    /** Starts any command; stdout and stderr go to {@code <runDir>/<name>.log}. */
    public static ServiceProcess start(String name, List<String> command, Path runDir, Duration grace) throws IOException {
        return launch(name, command, runDir, grace, -1, false);
    }

    /**
     * Starts any command with {@code workDir} as its working directory and stdin from /dev/null; stdout and stderr go
     * to {@code <workDir>/<name>.log}.
     */
    public static ServiceProcess startIn(String name, List<String> command, Path workDir, Duration grace) throws IOException {
        return launch(name, command, workDir, grace, -1, true);
    }

    /** {@code inRunDir}: the process's working directory is {@code runDir} and its stdin /dev/null (else both are the harness's). */
    private static ServiceProcess launch(String name, List<String> command, Path runDir, Duration grace, int httpPort, boolean inRunDir)
            throws IOException {
        Files.createDirectories(runDir);
        Path log = runDir.resolve(name + ".log");
        synchronized (RUNNING) {
            if (shuttingDown) throw new IOException("the harness is shutting down; not starting " + name);
            List<String> cmd = command;
            if (ownSessions) {
                cmd = new ArrayList<>(List.of("setsid"));          // not a group leader: setsid execs in place, same pid
                cmd.addAll(command);
            }
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            if (inRunDir) builder.directory(runDir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            ServiceProcess s = new ServiceProcess(name, builder.start(), log, grace, httpPort);
            RUNNING.add(s);
            if (shuttingDown) s.close();                   // lost the race with the hook: stop it ourselves
            return s;
        }
    }

    /** The harness's own {@code java}. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * {@code java [jvmArgs] -cp <this JVM's class path> main [args]}: a child JVM that runs a class of the caller's own
     * class path (a probe or a measuring side process), for a {@link ProcessBuilder} the caller wires itself.
     */
    public static List<String> childJvmCommand(Class<?> main, List<String> jvmArgs, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(args);
        return cmd;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Process process() {
        return process;
    }

    /** Waits until GET {@code health} answers 2xx; fails early when the process dies. */
    public void awaitHealthy(Http http, URI health, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IOException(name + " exited with " + process.exitValue() + " during start-up; see " + log);
            if (http.isUp(health)) return;
            Thread.sleep(500);
        }
        throw new IOException(name + " not healthy at " + health + " after " + timeout + "; see " + log);
    }

    /** {@code http://127.0.0.1:<port>} of a service started with its HTTP port. */
    public String url() {
        if (httpPort < 0) throw new IllegalStateException(name + " was started without a known HTTP port");
        return "http://127.0.0.1:" + httpPort;
    }

    /** Waits until {@code /actuator/health} answers UP; fails with the log's last lines when the process dies or time runs out. */
    public void awaitHealthy(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (!process.isAlive()) throw new IllegalStateException(name + " exited with " + process.exitValue() + " during start-up\n" + tail(40));
            if (reportsUp()) return;
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException(name + " did not report UP within " + timeout + "\n" + tail(40));
            Thread.sleep(500);
        }
    }

    /**
     * Waits until GET {@code url} answers 200 with a body containing {@code expected}; fails early, with the log's last
     * lines, when the process dies.
     */
    public void awaitHttp(String url, String expected, Duration timeout) {
        await("GET " + url + " containing " + expected, timeout, () -> {
            try {
                HttpResponse<String> response = HEALTH.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200 && response.body().contains(expected);
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * Waits until {@code condition} holds, checking every 500 ms; fails ({@link IllegalStateException} with the log's
     * last lines) when the process dies or {@code timeout} passes.
     */
    public void await(String what, Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " while waiting for " + what + "\n" + tail(40));
            }
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException(name + ": no " + what + " within " + timeout + "\n" + tail(40));
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private boolean reportsUp() throws InterruptedException {
        try {
            HttpResponse<String> r = HEALTH.send(HttpRequest.newBuilder(URI.create(url() + "/actuator/health")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"UP\"");
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The last lines of the log. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "---- " + log + "\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Waits for the process to end by itself. */
    public int waitFor(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) throw new IOException(name + " did not finish within " + timeout);
        RUNNING.remove(this);
        return process.exitValue();
    }

    /** SIGTERM to the process (a graceful stop), without waiting. */
    public void terminate() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }

    @Override
    public void close() {
        if (!RUNNING.remove(this) && !process.isAlive()) return;
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
