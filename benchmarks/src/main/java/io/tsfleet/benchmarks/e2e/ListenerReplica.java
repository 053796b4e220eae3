package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.FreePorts;
import io.tsfleet.testing.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One listener-service replica ({@code listener-service/target/listener-service.jar}) as a process on a free HTTP
 * port: with a static mask (no coordinator) or following a coordinator. Ready when its readiness probe is UP (every
 * CPU of its mask registered).
 */
public final class ListenerReplica implements AutoCloseable {
    private final String id;
    private final ServiceProcess process;
    private final URI base;

    private ListenerReplica(String id, ServiceProcess process, URI base) {
        this.id = id;
        this.process = process;
        this.base = base;
    }

    /** Starts a replica that listens on {@code cpulist} without a coordinator; does not wait for readiness. */
    public static ListenerReplica startStatic(EmulatorService.Settings s, String id, String broker, String cpulist, List<String> extraArgs)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("--tsfleet.listener.static-mask=" + cpulist));
        args.addAll(extraArgs);
        return start(s, id, broker, args);
    }

    /** Starts a replica that takes its mask from the coordinator; does not wait for readiness. */
    public static ListenerReplica startCoordinated(EmulatorService.Settings s, String id, String broker, URI coordinator, List<String> extraArgs)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("--tsfleet.listener.coordinator-url=" + coordinator));
        args.addAll(extraArgs);
        return start(s, id, broker, args);
    }

    private static ListenerReplica start(EmulatorService.Settings s, String id, String broker, List<String> appArgs) throws IOException {
        int httpPort = FreePorts.free();
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + httpPort,
                "--tsfleet.listener.id=" + id,
                "--tsfleet.listener.broker=" + broker,
                "--tsfleet.listener.sink=none"));
        args.addAll(appArgs);
        List<String> jvm = new ArrayList<>(s.listenerJvmArgs());
        jvm.addAll(s.profiling().jvmArgs(s.runDir(), id));
        ServiceProcess p = ServiceProcess.startJar(id, s.listenerJar(), jvm, args, s.runDir());
        return new ListenerReplica(id, p, URI.create("http://127.0.0.1:" + httpPort));
    }

    /** Waits until the readiness probe is UP: every CPU of the mask is registered with the broker. */
    public void awaitReady(EmulatorService.Settings s) throws IOException, InterruptedException {
        process.awaitHealthy(s.http(), base.resolve("/actuator/health/readiness"), s.startTimeout());
    }

    public String id() {
        return id;
    }

    public long pid() {
        return process.pid();
    }

    public URI prometheus() {
        return base.resolve("/actuator/prometheus");
    }

    public URI base() {
        return base;
    }

    /** SIGTERM (graceful stop), without waiting. */
    public void terminate() {
        process.terminate();
    }

    @Override
    public void close() {
        process.close();
    }
}
