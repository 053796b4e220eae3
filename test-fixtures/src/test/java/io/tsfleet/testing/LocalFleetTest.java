package io.tsfleet.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LocalFleet} with stand-in jars at the services' fixed paths ({@link StandInService}: a process that answers
 * UP and writes down its command line, its start and its stop), so that the launching, the wiring, the start order,
 * the clean-up after a failed start and the stop order are checked for real, without the services' jars.
 */
class LocalFleetTest {
    private static final LocalFleet.Tokens TOKENS = new LocalFleet.Tokens("t-broker", "t-admin", "t-read", "t-replica");

    @TempDir
    Path project;

    @Test
    void startsTheEmulatorAndCoordinatorThenTheReplicasWiredTogetherAndStopsThemInReverse() throws Exception {
        standInJars(project);
        Path work = project.resolve("run");
        List<String> emulator;
        List<String> coordinator;
        List<List<String>> replicas;
        try (LocalFleet fleet = LocalFleet.builder(project, work).cpus(4).baseRate(20).replicas(2).tokens(TOKENS)
                .coordinatorArgs("--tsfleet.coordinator.store=memory").replicaArgs("--stand-in.extra=yes")
                .start()) {
            assertThat(fleet.replicaIds()).containsExactly("replica-1", "replica-2");
            for (String target : Stream.concat(Stream.of(fleet.emulatorTarget(), fleet.coordinatorTarget()), fleet.replicaTargets().stream()).toList()) {
                assertThat(get("http://" + target + "/actuator/health")).as(target).contains("\"UP\"");
            }
            assertThat(Stream.concat(Stream.of(fleet.emulatorTarget(), fleet.coordinatorTarget(), fleet.brokerAddress()), fleet.replicaTargets().stream()))
                    .doesNotHaveDuplicates();
            emulator = arguments(work, "emulator");
            coordinator = arguments(work, "coordinator");
            replicas = List.of(arguments(work, "replica-1"), arguments(work, "replica-2"));

            assertThat(emulator).contains("--server.address=127.0.0.1", "--server.port=" + port(fleet.emulatorTarget()),
                    "--tsfleet.emulator.broker.port=" + port(fleet.brokerAddress()), "--tsfleet.emulator.broker.bind-address=127.0.0.1",
                    "--tsfleet.emulator.broker.token=t-broker", "--tsfleet.emulator.kernel.nr-cpus=4",
                    "--tsfleet.emulator.kernel.possible-cpus=0-3", "--tsfleet.emulator.workload.enabled=true",
                    "--tsfleet.emulator.workload.base-rate=20.0");
            assertThat(coordinator).contains("--server.port=" + port(fleet.coordinatorTarget()), "--tsfleet.coordinator.possible-cpus=0-3",
                    "--tsfleet.coordinator.security.admin-tokens=t-admin", "--tsfleet.coordinator.security.read-tokens=t-read",
                    "--tsfleet.coordinator.security.replica-tokens=t-replica").endsWith("--tsfleet.coordinator.store=memory");
            for (int i = 0; i < 2; i++) {
                assertThat(replicas.get(i)).contains("--server.port=" + port(fleet.replicaTargets().get(i)), "--tsfleet.listener.id=replica-" + (i + 1),
                        "--tsfleet.listener.broker=" + fleet.brokerAddress(), "--tsfleet.listener.broker-token=t-broker",
                        "--tsfleet.listener.coordinator-url=" + fleet.coordinatorUrl(), "--tsfleet.listener.coordinator-token=t-replica");
            }
            assertThat(replicas.getFirst()).endsWith("--tsfleet.listener.sink=none", "--stand-in.extra=yes");
            for (List<String> args : Stream.concat(Stream.of(emulator, coordinator), replicas.stream()).toList()) {
                assertThat(args.stream().map(a -> a.substring(0, a.indexOf('=') + 1))).as("no key twice: %s", args).doesNotHaveDuplicates();
            }

            long lastOfFirstStage = Math.max(started(work, "emulator"), started(work, "coordinator"));
            assertThat(started(work, "replica-1")).isGreaterThan(lastOfFirstStage);
            assertThat(started(work, "replica-2")).isGreaterThan(lastOfFirstStage);
        }
        assertThat(Files.readAllLines(work.resolve("stops.txt")).stream().map(l -> l.split(" ")[0]))
                .containsExactly("replica-2", "replica-1", "coordinator", "emulator");
        assertThat(work.resolve("jars/emulator.jar")).as("started from a copy of the jar").isRegularFile();
    }

    @Test
    void aServiceThatDiesDuringTheStartFailsItWithItsLogAndStopsWhatWasStarted() throws Exception {
        standInJars(project);
        Path work = project.resolve("run");
        LocalFleet.Builder builder = LocalFleet.builder(project, work).replicas(2).tokens(TOKENS).coordinatorArgs("--stand-in.exit=3");
        assertThatThrownBy(builder::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("coordinator exited with 3 during start-up").hasMessageContaining("coordinator.log");
        assertThat(Files.readAllLines(work.resolve("stops.txt")).stream().map(l -> l.split(" ")[0])).containsExactly("emulator");
        assertThat(work.resolve("replica-1")).as("no replica started").doesNotExist();
    }

    @Test
    void withoutTheJarsNothingStartsAndTheMessageNamesTheMissingOnes() {
        Path work = project.resolve("run");
        assertThatThrownBy(() -> LocalFleet.builder(project, work).start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(LocalFleet.jar(project, "emulator").toString())
                .hasMessageContaining(LocalFleet.jar(project, "coordinator").toString())
                .hasMessageContaining(LocalFleet.jar(project, "listener-service").toString())
                .hasMessageContaining("package -DskipTests");
        assertThat(work).doesNotExist();
    }

    @Test
    void withoutAReadTokenTheCoordinatorHasNoneAndEveryProcessHasItsOwnPort() {
        LocalFleet.Plan plan = LocalFleet.builder(project, project.resolve("run")).replicas(3)
                .tokens(new LocalFleet.Tokens("b", "a", null, "r")).plan();
        assertThat(plan.coordinator().arguments()).noneMatch(a -> a.contains("read-tokens"));
        assertThat(Stream.concat(Stream.of(plan.brokerPort(), plan.emulator().httpPort(), plan.coordinator().httpPort()),
                plan.replicas().stream().map(LocalFleet.Launch::httpPort))).hasSize(6).doesNotHaveDuplicates();
        assertThatThrownBy(() -> LocalFleet.builder(project, project).cpus(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClusterFleetStartsOneEmulatorPerNodeWhoseAgentAnnouncesItAndAStaticCoordinatorOptionIsLeftOut() throws Exception {
        standInJars(project);
        Path work = project.resolve("run");
        try (LocalFleet fleet = LocalFleet.builder(project, work).nodes(4, 2).baseRate(20).replicas(2).tokens(TOKENS).nodeToken("t-node")
                .start()) {
            assertThat(fleet.nodeNames()).containsExactly("node-1", "node-2");
            assertThat(fleet.plan().cluster()).isTrue();
            assertThat(fleet.brokerAddresses()).hasSize(2).doesNotHaveDuplicates();
            List<String> coordinator = arguments(work, "coordinator");
            assertThat(coordinator).noneMatch(a -> a.contains("possible-cpus")).contains("--tsfleet.coordinator.security.node-tokens=t-node",
                    "--tsfleet.coordinator.security.admin-tokens=t-admin");
            for (int i = 0; i < 2; i++) {
                String node = "node-" + (i + 1);
                int cpus = i == 0 ? 4 : 2;
                assertThat(arguments(work, node)).contains("--tsfleet.emulator.node.name=" + node,
                        "--tsfleet.emulator.node.coordinator-url=" + fleet.coordinatorUrl(), "--tsfleet.emulator.node.coordinator-token=t-node",
                        "--tsfleet.emulator.node.advertised-broker=" + fleet.brokerAddresses().get(i),
                        "--tsfleet.emulator.broker.port=" + port(fleet.brokerAddresses().get(i)),
                        "--tsfleet.emulator.kernel.nr-cpus=" + cpus, "--tsfleet.emulator.kernel.possible-cpus=0-" + (cpus - 1));
            }
            for (String replica : fleet.replicaIds()) {
                assertThat(arguments(work, replica)).as("replicas dial the brokers the coordinator names").noneMatch(a -> a.startsWith("--tsfleet.listener.broker="))
                        .contains("--tsfleet.listener.broker-token=t-broker", "--tsfleet.listener.coordinator-url=" + fleet.coordinatorUrl());
            }
            long lastOfFirstStage = Math.max(Math.max(started(work, "node-1"), started(work, "node-2")), started(work, "coordinator"));
            assertThat(started(work, "replica-1")).isGreaterThan(lastOfFirstStage);
        }
        assertThat(Files.readAllLines(work.resolve("stops.txt")).stream().map(l -> l.split(" ")[0]))
                .containsExactly("replica-2", "replica-1", "coordinator", "node-2", "node-1");
        assertThatThrownBy(() -> LocalFleet.builder(project, work).nodes()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalFleet.builder(project, work).nodes(4, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A jar at each service's fixed path whose main class is {@link StandInService}, loaded from this module's test classes. */
    private static void standInJars(Path project) throws IOException, URISyntaxException {
        Path classes = Path.of(StandInService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, StandInService.class.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classes.toUri().toString());
        for (String module : LocalFleet.MODULES) {
            Path jar = LocalFleet.jar(project, module);
            Files.createDirectories(jar.getParent());
            try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
                out.putNextEntry(new JarEntry("stand-in.txt"));
                out.write(module.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
    }

    private static List<String> arguments(Path work, String name) throws IOException {
        return Files.readAllLines(work.resolve(name).resolve("arguments.txt"));
    }

    private static long started(Path work, String name) throws IOException {
        return Long.parseLong(Files.readString(work.resolve(name).resolve("started.txt")).trim());
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static String get(String url) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
