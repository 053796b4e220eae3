package io.tsfleet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

/**
 * A whole fleet as local processes from the service jars the build made, like {@code scripts/fleet up} but on free
 * loopback ports and in a private folder: the emulator (the emulated kernel with a steady workload, its broker on
 * 127.0.0.1), the coordinator and N listener replicas ({@code replica-1..N}, sink {@code none}), wired with a broker
 * token, admin and replica tokens and, when given, a read token. What differs between the tests that use it is set on
 * the {@link Builder}: the CPUs, the workload's rate, the replica count, the tokens, extra arguments per service (the
 * coordinator's store, its intervals) and how long a start may take.
 *
 * <p>Every process starts from a copy of its jar in the work folder ({@link JarSnapshots}: a rebuild of a module
 * while the fleet runs cannot pull a jar from under a running JVM), with its own working directory
 * {@code <workDir>/<name>} and its log there ({@code <name>.log}). The emulator and the coordinator start first, in
 * parallel; once both report UP the replicas start, in parallel; {@link Builder#start()} returns when all report UP,
 * and on a failure stops what it started. {@link #close()} stops the replicas first, then the coordinator, then the
 * emulator, as an operator would; {@link ServiceProcess}'s shutdown hook stops whatever still runs when the JVM ends.
 */
public final class LocalFleet implements AutoCloseable {
    /** The modules whose jars the fleet runs, in start order. */
    static final List<String> MODULES = List.of("emulator", "coordinator", "listener-service");

    /**
     * The tokens the fleet is wired with: the emulator's broker token (which every replica presents), the
     * coordinator's admin, read and replica tokens. {@code read} may be null: the coordinator then has none.
     */
    public record Tokens(String broker, String admin, String read, String replica) {
        public Tokens {
            Objects.requireNonNull(broker, "broker");
            Objects.requireNonNull(admin, "admin");
            Objects.requireNonNull(replica, "replica");
        }
    }

    /** One process of the fleet: its name (also its folder), the module whose jar it runs, its HTTP port, its arguments. */
    public record Launch(String name, String module, int httpPort, List<String> arguments) {
        public Launch {
            arguments = List.copyOf(arguments);
        }
    }

    /**
     * The processes a {@link Builder} starts, with every port chosen: the emulator, the coordinator, then the replicas.
     */
    public record Plan(int brokerPort, Launch emulator, Launch coordinator, List<Launch> replicas) {
        public Plan {
            replicas = List.copyOf(replicas);
        }
    }

    /** A fleet to start; every setting has a default (8 CPUs, 100 exits/s per CPU, 2 replicas, tokens named {@code local-fleet-*}). */
    public static final class Builder {
        private final Path projectDir;
        private final Path workDir;
        private int cpus = 8;
        private double baseRate = 100;
        private int replicas = 2;
        private Tokens tokens = new Tokens("local-fleet-broker", "local-fleet-admin", null, "local-fleet-replica");
        private final List<String> emulatorArgs = new ArrayList<>();
        private final List<String> coordinatorArgs = new ArrayList<>();
        private final List<String> replicaArgs = new ArrayList<>();
        private Duration startTimeout = Duration.ofSeconds(240);

        private Builder(Path projectDir, Path workDir) {
            this.projectDir = projectDir.toAbsolutePath().normalize();
            this.workDir = workDir.toAbsolutePath().normalize();
        }

        /** The emulated kernel's CPUs ({@code 0..cpus-1}, all possible), which the coordinator plans. */
        public Builder cpus(int cpus) {
            if (cpus < 1) throw new IllegalArgumentException("cpus must be at least 1, not " + cpus);
            this.cpus = cpus;
            return this;
        }

        /** The workload's exits per second per CPU. */
        public Builder baseRate(double exitsPerSecondPerCpu) {
            if (!(exitsPerSecondPerCpu >= 0)) throw new IllegalArgumentException("baseRate must be at least 0, not " + exitsPerSecondPerCpu);
            this.baseRate = exitsPerSecondPerCpu;
            return this;
        }

        public Builder replicas(int replicas) {
            if (replicas < 0) throw new IllegalArgumentException("replicas must be at least 0, not " + replicas);
            this.replicas = replicas;
            return this;
        }

        public Builder tokens(Tokens tokens) {
            this.tokens = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /**
         * More command-line arguments of the emulator ({@code --key=value}), after the fleet's own. A key the fleet
         * already sets must not be given again (Spring Boot would join both values).
         */
        public Builder emulatorArgs(String... args) {
            emulatorArgs.addAll(List.of(args));
            return this;
        }

        /** More arguments of the coordinator (its store, its intervals), as {@link #emulatorArgs}. */
        public Builder coordinatorArgs(String... args) {
            coordinatorArgs.addAll(List.of(args));
            return this;
        }

        /** More arguments of every replica, as {@link #emulatorArgs}. */
        public Builder replicaArgs(String... args) {
            replicaArgs.addAll(List.of(args));
            return this;
        }

        /** How long each start stage (emulator and coordinator, then the replicas) may take to report UP. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The processes {@link #start()} would launch, on freshly chosen free ports (nothing is started). */
        public Plan plan() {
            String possible = "0-" + (cpus - 1);
            int brokerPort = FreePorts.free();
            Launch emulator = new Launch("emulator", "emulator", FreePorts.free(), concat(List.of(
                    "--tsfleet.emulator.broker.port=" + brokerPort,
                    "--tsfleet.emulator.broker.bind-address=127.0.0.1",
                    "--tsfleet.emulator.broker.token=" + tokens.broker(),
                    "--tsfleet.emulator.kernel.nr-cpus=" + cpus,
                    "--tsfleet.emulator.kernel.possible-cpus=" + possible,
                    "--tsfleet.emulator.workload.enabled=true",
                    "--tsfleet.emulator.workload.base-rate=" + baseRate), emulatorArgs));
            List<String> coordinator = new ArrayList<>(List.of(
                    "--tsfleet.coordinator.possible-cpus=" + possible,
                    "--tsfleet.coordinator.security.admin-tokens=" + tokens.admin(),
                    "--tsfleet.coordinator.security.replica-tokens=" + tokens.replica()));
            if (tokens.read() != null) coordinator.add("--tsfleet.coordinator.security.read-tokens=" + tokens.read());
            Launch coordinatorLaunch = new Launch("coordinator", "coordinator", FreePorts.free(), concat(coordinator, coordinatorArgs));
            List<Launch> replicaLaunches = new ArrayList<>();
            for (int i = 1; i <= replicas; i++) {
                String id = "replica-" + i;
                replicaLaunches.add(new Launch(id, "listener-service", FreePorts.free(), concat(List.of(
                        "--tsfleet.listener.id=" + id,
                        "--tsfleet.listener.broker=127.0.0.1:" + brokerPort,
                        "--tsfleet.listener.broker-token=" + tokens.broker(),
                        "--tsfleet.listener.coordinator-url=http://127.0.0.1:" + coordinatorLaunch.httpPort(),
                        "--tsfleet.listener.coordinator-token=" + tokens.replica(),
                        "--tsfleet.listener.sink=none"), replicaArgs)));
            }
            return new Plan(brokerPort, emulator, coordinatorLaunch, replicaLaunches);
        }

        /** Starts the fleet (see {@link LocalFleet}) and waits until every process reports UP. */
        public LocalFleet start() throws IOException, InterruptedException {
            List<Path> missing = MODULES.stream().map(m -> jar(projectDir, m)).filter(p -> !Files.isRegularFile(p)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalStateException("missing service jars " + missing
                        + ": build them first (./mvnw -B -q -o -pl emulator,coordinator,listener-service -am package -DskipTests)");
            }
            Files.createDirectories(workDir);
            Plan plan = plan();
            LocalFleet fleet = new LocalFleet(plan);
            try {
                fleet.launchAll(List.of(plan.emulator(), plan.coordinator()), projectDir, workDir, startTimeout);
                fleet.launchAll(plan.replicas(), projectDir, workDir, startTimeout);
                return fleet;
            } catch (IOException | InterruptedException | RuntimeException | Error e) {
                fleet.close();
                throw e;
            }
        }

        private static List<String> concat(List<String> own, List<String> extra) {
            return Stream.concat(own.stream(), extra.stream()).toList();
        }
    }

    private final Plan plan;
    /** In start order: emulator, coordinator, replicas. */
    private final List<ServiceProcess> processes = new ArrayList<>();

    private LocalFleet(Plan plan) {
        this.plan = plan;
    }

    /** A fleet of the jars under {@code projectDir} (the repository root), run in {@code workDir}. */
    public static Builder builder(Path projectDir, Path workDir) {
        return new Builder(projectDir, workDir);
    }

    /** {@code <projectDir>/<module>/target/<module>.jar}, the fixed jar name of docs/operations.md. */
    static Path jar(Path projectDir, String module) {
        return projectDir.resolve(module).resolve("target").resolve(module + ".jar");
    }

    private void launchAll(List<Launch> launches, Path projectDir, Path workDir, Duration timeout) throws IOException, InterruptedException {
        List<ServiceProcess> started = new ArrayList<>();
        for (Launch l : launches) {
            Path jar = JarSnapshots.of(jar(projectDir, l.module()), workDir);
            ServiceProcess p = ServiceProcess.start(l.name(), jar, l.httpPort(), workDir.resolve(l.name()), l.arguments());
            synchronized (processes) {
                processes.add(p);
            }
            started.add(p);
        }
        try {
            CompletableFuture.allOf(started.stream().map(p -> CompletableFuture.runAsync(() -> {
                try {
                    p.awaitHealthy(timeout);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(p.name() + ": interrupted while waiting for UP", e);
                }
            })).toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    /** The processes as planned (ports, arguments). */
    public Plan plan() {
        return plan;
    }

    /** {@code http://127.0.0.1:<port>} of the emulator's HTTP API. */
    public String emulatorUrl() {
        return "http://127.0.0.1:" + plan.emulator().httpPort();
    }

    /** {@code http://127.0.0.1:<port>} of the coordinator. */
    public String coordinatorUrl() {
        return "http://127.0.0.1:" + plan.coordinator().httpPort();
    }

    /** {@code 127.0.0.1:<port>} of the emulator's broker (netlink over TCP). */
    public String brokerAddress() {
        return "127.0.0.1:" + plan.brokerPort();
    }

    /** The replicas' ids, {@code replica-1..N}. */
    public List<String> replicaIds() {
        return plan.replicas().stream().map(Launch::name).toList();
    }

    /** {@code host:port} of the emulator's HTTP port, as a Prometheus static target ({@code /actuator/prometheus}). */
    public String emulatorTarget() {
        return "127.0.0.1:" + plan.emulator().httpPort();
    }

    /** {@code host:port} of the coordinator, as a Prometheus static target. */
    public String coordinatorTarget() {
        return "127.0.0.1:" + plan.coordinator().httpPort();
    }

    /** {@code host:port} of every replica, as Prometheus static targets. */
    public List<String> replicaTargets() {
        return plan.replicas().stream().map(l -> "127.0.0.1:" + l.httpPort()).toList();
    }

    /** The last {@code lines} log lines of every process, for failure messages. */
    public String logTails(int lines) {
        StringBuilder b = new StringBuilder();
        synchronized (processes) {
            for (ServiceProcess p : processes) b.append(p.tail(lines)).append('\n');
        }
        return b.toString();
    }

    /** Replicas first, then the coordinator, then the emulator. */
    @Override
    public void close() {
        List<ServiceProcess> all;
        synchronized (processes) {
            all = new ArrayList<>(processes);
        }
        for (int i = all.size() - 1; i >= 0; i--) all.get(i).close();
    }
}
