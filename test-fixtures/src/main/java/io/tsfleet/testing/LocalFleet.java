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
 * <p>By default the fleet is a <em>static</em> one: one emulator, whose CPUs the coordinator plans as its
 * {@code possible-cpus}, and replicas that dial that emulator's broker. {@link Builder#nodes(int...)} makes a
 * <em>cluster</em> fleet instead: one emulator per node ({@code node-1..N}, each with its own broker and CPUs) whose
 * node agent announces it to the coordinator with the node token, a coordinator without {@code possible-cpus} (its
 * slots are the nodes' CPUs) and replicas without {@code tsfleet.listener.broker} (they dial the brokers the
 * coordinator names).
 *
 * <p>Every process starts from a copy of its jar in the work folder ({@link JarSnapshots}: a rebuild of a module
 * while the fleet runs cannot pull a jar from under a running JVM), with its own working directory
 * {@code <workDir>/<name>} and its log there ({@code <name>.log}). The emulators and the coordinator start first, in
 * parallel; once they report UP the replicas start, in parallel; {@link Builder#start()} returns when all report UP,
 * and on a failure stops what it started. {@link #close()} stops the replicas first, then the coordinator, then the
 * emulators, as an operator would; {@link ServiceProcess}'s shutdown hook stops whatever still runs when the JVM ends.
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

    /** One emulated node: its name ({@code tsfleet.emulator.node.name}; null in a static fleet), its broker's port, its emulator. */
    public record EmulatedNode(String name, int brokerPort, Launch emulator) {
    }

    /**
     * The processes a {@link Builder} starts, with every port chosen: the emulators (one; one per node in a cluster
     * fleet), the coordinator, then the replicas.
     */
    public record Plan(List<EmulatedNode> nodes, Launch coordinator, List<Launch> replicas, boolean cluster) {
        public Plan {
            nodes = List.copyOf(nodes);
            replicas = List.copyOf(replicas);
            if (nodes.isEmpty()) throw new IllegalArgumentException("a fleet needs an emulator");
        }

        /** The first (in a static fleet the only) emulator's broker port. */
        public int brokerPort() {
            return nodes.getFirst().brokerPort();
        }

        /** The first (in a static fleet the only) emulator. */
        public Launch emulator() {
            return nodes.getFirst().emulator();
        }

        /** Every emulator, in node order. */
        public List<Launch> emulators() {
            return nodes.stream().map(EmulatedNode::emulator).toList();
        }
    }

    /** A fleet to start; every setting has a default (8 CPUs, 100 exits/s per CPU, 2 replicas, tokens named {@code local-fleet-*}). */
    public static final class Builder {
        private final Path projectDir;
        private final Path workDir;
        private int cpus = 8;
        private List<Integer> nodeCpus = List.of();
        private String nodeToken = "local-fleet-node";
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

        /**
         * A cluster fleet of {@code cpusPerNode.length} emulated nodes {@code node-1..N}, node {@code i} with
         * {@code cpusPerNode[i-1]} CPUs (see {@link LocalFleet}); {@link #cpus(int)} is then not used.
         */
        public Builder nodes(int... cpusPerNode) {
            if (cpusPerNode.length == 0) throw new IllegalArgumentException("a cluster fleet needs at least one node");
            for (int c : cpusPerNode) if (c < 1) throw new IllegalArgumentException("every node needs at least 1 CPU, not " + c);
            this.nodeCpus = java.util.Arrays.stream(cpusPerNode).boxed().toList();
            return this;
        }

        /** The node agents' token of a cluster fleet (the coordinator's {@code security.node-tokens}). */
        public Builder nodeToken(String token) {
            this.nodeToken = Objects.requireNonNull(token, "token");
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
            boolean cluster = !nodeCpus.isEmpty();
            int coordinatorPort = FreePorts.free();
            String coordinatorUrl = "http://127.0.0.1:" + coordinatorPort;
            List<EmulatedNode> nodes = new ArrayList<>();
            if (!cluster) {
                int brokerPort = FreePorts.free();
                nodes.add(new EmulatedNode(null, brokerPort, new Launch("emulator", "emulator", FreePorts.free(),
                        concat(emulatorArguments(brokerPort, cpus), emulatorArgs))));
            } else {
                for (int i = 0; i < nodeCpus.size(); i++) {
                    String name = "node-" + (i + 1);
                    int brokerPort = FreePorts.free();
                    List<String> args = new ArrayList<>(emulatorArguments(brokerPort, nodeCpus.get(i)));
                    args.addAll(List.of(
                            "--tsfleet.emulator.node.name=" + name,
                            "--tsfleet.emulator.node.coordinator-url=" + coordinatorUrl,
                            "--tsfleet.emulator.node.coordinator-token=" + nodeToken,
                            "--tsfleet.emulator.node.advertised-broker=127.0.0.1:" + brokerPort,
                            // the coordinator starts alongside: announce again soon rather than after a long back-off
                            "--tsfleet.emulator.node.max-retry-backoff=2s"));
                    nodes.add(new EmulatedNode(name, brokerPort, new Launch(name, "emulator", FreePorts.free(), concat(args, emulatorArgs))));
                }
            }
            List<String> coordinator = new ArrayList<>();
            if (!cluster) coordinator.add("--tsfleet.coordinator.possible-cpus=0-" + (cpus - 1));
            coordinator.add("--tsfleet.coordinator.security.admin-tokens=" + tokens.admin());
            coordinator.add("--tsfleet.coordinator.security.replica-tokens=" + tokens.replica());
            if (tokens.read() != null) coordinator.add("--tsfleet.coordinator.security.read-tokens=" + tokens.read());
            if (cluster) coordinator.add("--tsfleet.coordinator.security.node-tokens=" + nodeToken);
            Launch coordinatorLaunch = new Launch("coordinator", "coordinator", coordinatorPort, concat(coordinator, coordinatorArgs));
            List<Launch> replicaLaunches = new ArrayList<>();
            for (int i = 1; i <= replicas; i++) {
                String id = "replica-" + i;
                List<String> args = new ArrayList<>();
                args.add("--tsfleet.listener.id=" + id);
                if (!cluster) args.add("--tsfleet.listener.broker=127.0.0.1:" + nodes.getFirst().brokerPort());
                args.addAll(List.of(
                        "--tsfleet.listener.broker-token=" + tokens.broker(),
                        "--tsfleet.listener.coordinator-url=" + coordinatorUrl,
                        "--tsfleet.listener.coordinator-token=" + tokens.replica(),
                        "--tsfleet.listener.sink=none"));
                replicaLaunches.add(new Launch(id, "listener-service", FreePorts.free(), concat(args, replicaArgs)));
            }
            return new Plan(nodes, coordinatorLaunch, replicaLaunches, cluster);
        }

        private List<String> emulatorArguments(int brokerPort, int nrCpus) {
            return List.of(
                    "--tsfleet.emulator.broker.port=" + brokerPort,
                    "--tsfleet.emulator.broker.bind-address=127.0.0.1",
                    "--tsfleet.emulator.broker.token=" + tokens.broker(),
                    "--tsfleet.emulator.kernel.nr-cpus=" + nrCpus,
                    "--tsfleet.emulator.kernel.possible-cpus=0-" + (nrCpus - 1),
                    "--tsfleet.emulator.workload.enabled=true",
                    "--tsfleet.emulator.workload.base-rate=" + baseRate);
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
                List<Launch> first = new ArrayList<>(plan.emulators());
                first.add(plan.coordinator());
                fleet.launchAll(first, projectDir, workDir, startTimeout);
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
    /** In start order: emulators, coordinator, replicas. */
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

    /** The emulated nodes' names, {@code node-1..N} in a cluster fleet; empty in a static fleet. */
    public List<String> nodeNames() {
        return plan.nodes().stream().map(EmulatedNode::name).filter(Objects::nonNull).toList();
    }

    /** {@code 127.0.0.1:<port>} of every emulator's broker, in node order. */
    public List<String> brokerAddresses() {
        return plan.nodes().stream().map(n -> "127.0.0.1:" + n.brokerPort()).toList();
    }

    /** {@code http://127.0.0.1:<port>} of the (first) emulator's HTTP API. */
    public String emulatorUrl() {
        return "http://127.0.0.1:" + plan.emulator().httpPort();
    }

    /** {@code http://127.0.0.1:<port>} of the coordinator. */
    public String coordinatorUrl() {
        return "http://127.0.0.1:" + plan.coordinator().httpPort();
    }

    /** {@code 127.0.0.1:<port>} of the (first) emulator's broker (netlink over TCP). */
    public String brokerAddress() {
        return "127.0.0.1:" + plan.brokerPort();
    }

    /** The replicas' ids, {@code replica-1..N}. */
    public List<String> replicaIds() {
        return plan.replicas().stream().map(Launch::name).toList();
    }

    /** {@code host:port} of the (first) emulator's HTTP port, as a Prometheus static target ({@code /actuator/prometheus}). */
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

    /** Replicas first, then the coordinator, then the emulators. */
    @Override
    public void close() {
        List<ServiceProcess> all;
        synchronized (processes) {
            all = new ArrayList<>(processes);
        }
        for (int i = all.size() - 1; i >= 0; i--) all.get(i).close();
    }
}
