package io.tsfleet.systemtests.console;

import io.tsfleet.testing.FreePorts;
import io.tsfleet.testing.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A whole fleet as local processes from the production jars, like {@code scripts/fleet up} but on free ports and in a
 * private folder: the emulator (emulated kernel with a steady workload), the coordinator and N listener replicas
 * ({@code replica-1..N}), with admin, read, replica and broker tokens. The jars are copied first, so that a
 * rebuild of a module while the fleet runs cannot pull a jar from under a running JVM.
 */
final class LocalFleet implements AutoCloseable {
    static final String ADMIN_TOKEN = "console-it-admin";
    static final String READ_TOKEN = "console-it-read";
    static final String REPLICA_TOKEN = "console-it-replica";
    static final String BROKER_TOKEN = "console-it-broker";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);

    private final Path dir;
    private final List<ServiceProcess> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stopAll, "console-it-fleet-stop");
    private ServiceProcess coordinator;
    private final List<String> replicaIds = new ArrayList<>();

    private LocalFleet(Path dir) {
        this.dir = dir;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The three service jars under the project folder; missing ones are named in the message. */
    static List<Path> jars(Path projectDir) {
        List<Path> jars = Stream.of("emulator", "coordinator", "listener-service")
                .map(m -> projectDir.resolve(m).resolve("target").resolve(m + ".jar")).toList();
        List<Path> missing = jars.stream().filter(p -> !Files.isRegularFile(p)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("missing service jars " + missing + ": build them first (./mvnw -B -DskipTests package)");
        }
        return jars;
    }

    /** Starts the fleet (emulator and coordinator in parallel, then the replicas in parallel) and waits until all are UP. */
    static LocalFleet start(Path projectDir, Path workDir, int cpus, double baseRate, int replicas) throws Exception {
        List<Path> sources = jars(projectDir);
        Files.createDirectories(workDir);
        LocalFleet fleet = new LocalFleet(workDir);
        try {
            List<Path> jars = new ArrayList<>();
            for (Path source : sources) jars.add(Files.copy(source, workDir.resolve(source.getFileName()), StandardCopyOption.REPLACE_EXISTING));
            String possible = "0-" + (cpus - 1);
            int brokerPort = FreePorts.free();
            ServiceProcess emulator = fleet.launch("emulator", jars.get(0), List.of(
                    "--tsfleet.emulator.broker.port=" + brokerPort,
                    "--tsfleet.emulator.broker.bind-address=127.0.0.1",
                    "--tsfleet.emulator.broker.token=" + BROKER_TOKEN,
                    "--tsfleet.emulator.kernel.nr-cpus=" + cpus,
                    "--tsfleet.emulator.kernel.possible-cpus=" + possible,
                    "--tsfleet.emulator.workload.enabled=true",
                    "--tsfleet.emulator.workload.base-rate=" + baseRate));
            fleet.coordinator = fleet.launch("coordinator", jars.get(1), List.of(
                    "--tsfleet.coordinator.possible-cpus=" + possible,
                    "--tsfleet.coordinator.store=memory",
                    "--tsfleet.coordinator.security.admin-tokens=" + ADMIN_TOKEN,
                    "--tsfleet.coordinator.security.read-tokens=" + READ_TOKEN,
                    "--tsfleet.coordinator.security.replica-tokens=" + REPLICA_TOKEN,
                    // the fleet settles (and the page's moves complete) in a few heartbeats: short ones keep the test quick
                    "--tsfleet.coordinator.heartbeat-interval=500ms",
                    "--tsfleet.coordinator.tick-interval=250ms",
                    "--tsfleet.coordinator.policy.load-warmup=3s"));
            awaitAll(List.of(emulator, fleet.coordinator));
            List<ServiceProcess> listeners = new ArrayList<>();
            for (int i = 1; i <= replicas; i++) {
                String id = "replica-" + i;
                fleet.replicaIds.add(id);
                listeners.add(fleet.launch(id, jars.get(2), List.of(
                        "--tsfleet.listener.id=" + id,
                        "--tsfleet.listener.broker=127.0.0.1:" + brokerPort,
                        "--tsfleet.listener.broker-token=" + BROKER_TOKEN,
                        "--tsfleet.listener.coordinator-url=" + fleet.coordinator.url(),
                        "--tsfleet.listener.coordinator-token=" + REPLICA_TOKEN,
                        "--tsfleet.listener.sink=none")));
            }
            awaitAll(listeners);
            return fleet;
        } catch (Exception | Error e) {
            fleet.close();
            throw e;
        }
    }

    private ServiceProcess launch(String name, Path jar, List<String> args) throws IOException {
        ServiceProcess p = ServiceProcess.start(name, jar, FreePorts.free(), dir, args);
        processes.add(p);
        return p;
    }

    private static void awaitAll(List<ServiceProcess> services) {
        CompletableFuture.allOf(services.stream().map(s -> CompletableFuture.runAsync(() -> {
            try {
                s.awaitHealthy(START_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        })).toArray(CompletableFuture[]::new)).join();
    }

    String coordinatorUrl() {
        return coordinator.url();
    }

    List<String> replicaIds() {
        return List.copyOf(replicaIds);
    }

    /** The last log lines of every process, for failure messages. */
    String logTails(int lines) {
        StringBuilder b = new StringBuilder();
        for (ServiceProcess p : processes) b.append(p.tail(lines)).append('\n');
        return b.toString();
    }

    /** Replicas first, then the coordinator, then the emulator. */
    private synchronized void stopAll() {
        for (int i = processes.size() - 1; i >= 0; i--) processes.get(i).close();
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
