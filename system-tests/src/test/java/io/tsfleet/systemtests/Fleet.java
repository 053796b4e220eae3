package io.tsfleet.systemtests;

import org.testcontainers.containers.GenericContainer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A static fleet in containers on one Docker network: the emulator (alias {@code emulator}), the coordinator
 * ({@code coordinator}, with {@code possible-cpus}: one node) and listener replicas ({@code replica-N}, each dialling
 * {@code emulator:7411}), each from its production image.
 */
final class Fleet extends ContainerFleet {
    private final GenericContainer<?> emulator;
    private final GenericContainer<?> coordinator;
    private final String jvmOptions;

    /** What the fleet looks like: the emulated machine, its workload, and the fleet's timing. */
    record Settings(int cpus, double baseRate, Duration lease, Map<String, String> replicaExtra) {
        String possible() {
            return "0-" + (cpus - 1);
        }
    }

    Fleet(Settings settings) {
        this(settings, "");
    }

    /**
     * @param jvmOptions JVM options of every container ({@code JAVA_TOOL_OPTIONS}; empty: the images' own), e.g. C1 only
     *                   and the serial collector for a fleet whose rates need no optimising compiler
     */
    Fleet(Settings settings, String jvmOptions) {
        super(settings.replicaExtra());
        this.jvmOptions = jvmOptions;
        this.emulator = newEmulator("emulator", settings.possible(), settings.baseRate(), List.of());
        this.coordinator = newCoordinator(settings.lease(), List.of("--tsfleet.coordinator.possible-cpus=" + settings.possible()));
    }

    @Override
    String jvmOptions() {
        return jvmOptions;
    }

    @Override
    List<String> brokerArgs() {
        return List.of("--tsfleet.listener.broker=emulator:" + BROKER_PORT);
    }

    /** Starts the emulator and the coordinator (in parallel), then the replicas. */
    Fleet start(int replicaCount) {
        java.util.stream.Stream.of(emulator, coordinator).parallel().forEach(GenericContainer::start);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= replicaCount; i++) ids.add("replica-" + i);
        startReplicas(ids);
        return this;
    }

    // ------------------------------------------------------------------ addresses

    String emulatorUrl() {
        return "http://" + emulator.getHost() + ":" + emulator.getMappedPort(EMULATOR_HTTP);
    }

    /** The coordinator's URL, looked up again each time: a restarted container gets a new host port. */
    String coordinatorUrl() {
        return "http://localhost:" + hostPort(coordinator, 8080);
    }

    String emulatorUrlNow() {
        return "http://localhost:" + hostPort(emulator, EMULATOR_HTTP);
    }

    // ------------------------------------------------------------------ faults

    void killCoordinator() {
        kill(coordinator);
    }

    void startCoordinatorAgain() {
        startAgain(coordinator);
    }

    void killEmulator() {
        kill(emulator);
    }

    void startEmulatorAgain() {
        startAgain(emulator);
    }

    @Override
    void stopOthers() {
        coordinator.stop();
        emulator.stop();
    }
}
