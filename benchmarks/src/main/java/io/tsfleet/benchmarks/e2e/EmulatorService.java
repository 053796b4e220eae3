package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.FreePorts;
import io.tsfleet.testing.ServiceProcess;
import io.tsfleet.testing.Http;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The emulator service ({@code emulator/target/emulator.jar}) as a process on free ports: the emulated kernel with N
 * possible CPUs and the workload generator at rate 0, or the live-kernel backend. Controls the workload through
 * {@code PUT /api/v1/workload}.
 */
public final class EmulatorService implements AutoCloseable {
    private final ServiceProcess process;
    private final URI base;
    private final int brokerPort;
    private final Http http;

    private EmulatorService(ServiceProcess process, URI base, int brokerPort, Http http) {
        this.process = process;
        this.base = base;
        this.brokerPort = brokerPort;
        this.http = http;
    }

    /** The emulated kernel with possible CPUs {@code 0..cpus-1} and a workload generator that starts at rate 0. */
    public static EmulatorService startEmulated(Settings s, int cpus, List<String> extraArgs) throws IOException, InterruptedException {
        if (cpus < 1 || cpus > 8192) throw new IllegalArgumentException("cpus must be within 1..8192: " + cpus);
        List<String> args = new ArrayList<>(List.of(
                "--tsfleet.emulator.kernel.possible-cpus=" + (cpus == 1 ? "0" : "0-" + (cpus - 1)),
                "--tsfleet.emulator.workload.enabled=true",
                "--tsfleet.emulator.workload.base-rate=0"));
        args.addAll(extraArgs);
        return start(s, "emulator-n" + cpus, args, List.of());
    }

    /** The live-kernel backend (needs root and TASKSTATS); the broker listens on loopback. */
    public static EmulatorService startKernel(Settings s, List<String> extraArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--tsfleet.emulator.backend=kernel"));
        args.addAll(extraArgs);
        return start(s, "emulator-kernel", args, List.of("--enable-native-access=ALL-UNNAMED"));
    }

    private static EmulatorService start(Settings s, String name, List<String> appArgs, List<String> jvmExtra) throws IOException, InterruptedException {
        int httpPort = FreePorts.free();
        int brokerPort = FreePorts.free();
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + httpPort,
                "--tsfleet.emulator.broker.port=" + brokerPort,
                "--tsfleet.emulator.broker.bind-address=127.0.0.1",
                // all listeners of a benchmark connect from 127.0.0.1, up to one connection per CPU each
                "--tsfleet.emulator.broker.max-connections-per-peer=10000"));
        args.addAll(appArgs);
        List<String> jvm = new ArrayList<>(s.emulatorJvmArgs());
        jvm.addAll(jvmExtra);
        jvm.addAll(s.profiling().jvmArgs(s.runDir(), name));
        ServiceProcess p = ServiceProcess.startJar(name, s.emulatorJar(), jvm, args, s.runDir());
        EmulatorService e = new EmulatorService(p, URI.create("http://127.0.0.1:" + httpPort), brokerPort, s.http());
        try {
            p.awaitHealthy(s.http(), e.base.resolve("/actuator/health/readiness"), s.startTimeout());
        } catch (IOException | InterruptedException | RuntimeException ex) {
            p.close();
            throw ex;
        }
        return e;
    }

    public String broker() {
        return "127.0.0.1:" + brokerPort;
    }

    public URI prometheus() {
        return base.resolve("/actuator/prometheus");
    }

    public URI base() {
        return base;
    }

    public long pid() {
        return process.pid();
    }

    /** Every possible CPU exits {@code perCpu} tasks per second, no hot spots. */
    public void uniformRate(double perCpu) throws IOException, InterruptedException {
        workload(String.format(Locale.ROOT, "{\"baseRate\":%.3f}", perCpu));
    }

    /** Replaces the workload plan ({@code PUT /api/v1/workload}, the emulator's JSON body). */
    public void workload(String json) throws IOException, InterruptedException {
        http.put(base.resolve("/api/v1/workload"), json);
    }

    @Override
    public void close() {
        process.close();
    }

    /** What every service start of one run shares. */
    public record Settings(Path emulatorJar, Path listenerJar, Path coordinatorJar, Path runDir, List<String> emulatorJvmArgs,
                           List<String> listenerJvmArgs, Duration startTimeout, Http http, Profiling profiling) {
    }

    /** Optional JFR recording of every service JVM, written next to its log. */
    public record Profiling(boolean jfr) {
        public List<String> jvmArgs(Path runDir, String name) {
            if (!jfr) return List.of();
            return List.of("-XX:StartFlightRecording=settings=profile,filename=" + runDir.resolve(name + ".jfr") + ",dumponexit=true");
        }
    }
}
