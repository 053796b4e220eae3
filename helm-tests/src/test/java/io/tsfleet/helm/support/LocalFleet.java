package io.tsfleet.helm.support;

import io.tsfleet.testing.FreePorts;
import io.tsfleet.testing.ServiceProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The three services as processes on free loopback ports, from the jars the build made (the fixed jar names and
 * configuration keys of docs/operations.md): an emulator with a workload, a coordinator and some listener replicas.
 */
public final class LocalFleet implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    /** SIGTERM, then SIGKILL after this. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final String BROKER_TOKEN = "it-broker-token";
    private static final String ADMIN_TOKEN = "it-admin-token";
    private static final String REPLICA_TOKEN = "it-replica-token";

    public final int emulatorPort = FreePorts.free();
    public final int brokerPort = FreePorts.free();
    public final int coordinatorPort = FreePorts.free();
    public final List<Integer> listenerPorts = new ArrayList<>();
    private final List<ServiceProcess> processes = new ArrayList<>();

    private LocalFleet() {
    }

    public static Path jar(String module) {
        Path jar = ProjectPaths.root().resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("missing " + jar + ": build the services first (./mvnw -B verify builds them before this module)");
        }
        return jar;
    }

    /** Starts the fleet and waits until every process reports UP. */
    public static LocalFleet start(Path dir, int cpus, int replicas) {
        LocalFleet fleet = new LocalFleet();
        try {
            String possible = "0-" + (cpus - 1);
            fleet.launch(dir, "emulator", List.of("--server.port=" + fleet.emulatorPort,
                    "--tsfleet.emulator.broker.port=" + fleet.brokerPort, "--tsfleet.emulator.broker.bind-address=127.0.0.1",
                    "--tsfleet.emulator.broker.token=" + BROKER_TOKEN, "--tsfleet.emulator.kernel.nr-cpus=" + cpus,
                    "--tsfleet.emulator.kernel.possible-cpus=" + possible, "--tsfleet.emulator.workload.enabled=true",
                    "--tsfleet.emulator.workload.base-rate=100"));
            fleet.launch(dir, "coordinator", List.of("--server.port=" + fleet.coordinatorPort,
                    "--tsfleet.coordinator.possible-cpus=" + possible,
                    "--tsfleet.coordinator.state-file=" + dir.resolve("coordinator/state.json"),
                    "--tsfleet.coordinator.security.admin-tokens=" + ADMIN_TOKEN,
                    "--tsfleet.coordinator.security.replica-tokens=" + REPLICA_TOKEN));
            for (int i = 0; i < replicas; i++) {
                int port = FreePorts.free();
                fleet.listenerPorts.add(port);
                fleet.launch(dir, "listener-" + i, List.of("--server.port=" + port, "--tsfleet.listener.id=listener-" + i,
                        "--tsfleet.listener.broker=127.0.0.1:" + fleet.brokerPort, "--tsfleet.listener.broker-token=" + BROKER_TOKEN,
                        "--tsfleet.listener.coordinator-url=http://127.0.0.1:" + fleet.coordinatorPort,
                        "--tsfleet.listener.coordinator-token=" + REPLICA_TOKEN, "--tsfleet.listener.sink=none"));
            }
            List<Integer> ports = new ArrayList<>(List.of(fleet.emulatorPort, fleet.coordinatorPort));
            ports.addAll(fleet.listenerPorts);
            for (int i = 0; i < fleet.processes.size(); i++) {
                fleet.processes.get(i).awaitHttp("http://127.0.0.1:" + ports.get(i) + "/actuator/health", "\"UP\"", START_TIMEOUT);
            }
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    private void launch(Path dir, String name, List<String> arguments) {
        String module = name.startsWith("listener-") ? "listener-service" : name;
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar(module).toString()));
        command.addAll(arguments);
        try {
            processes.add(ServiceProcess.startIn(name, command, dir.resolve(name), STOP_GRACE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    public List<String> listenerTargets() {
        return listenerPorts.stream().map(p -> "127.0.0.1:" + p).toList();
    }

    public String logs() {
        StringBuilder logs = new StringBuilder();
        processes.forEach(p -> logs.append(p.tail(40)).append('\n'));
        return logs.toString();
    }

    @Override
    public void close() {
        // replicas first, as an operator would stop them
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }
}
