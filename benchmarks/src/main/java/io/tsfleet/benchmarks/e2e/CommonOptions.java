package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.Http;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Options every harness command shares: where the jars are, where logs go, JVM sizes, start timeout, profiling. */
final class CommonOptions {
    private static final List<String> GARBAGE_COLLECTORS = List.of("G1", "Parallel");

    private CommonOptions() {
    }

    static EmulatorService.Settings read(Options o) {
        Path repo = o.path("repo", ".", "the repository root (the jars are under <repo>/<module>/target)").toAbsolutePath().normalize();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path runDir = o.path("run-dir", repo.resolve("benchmarks/target/e2e-" + stamp).toString(), "logs, JFR recordings and records of this run");
        String emulatorHeap = o.string("emulator-heap", "1g", "-Xmx of the emulator");
        String emulatorGc = o.string("emulator-gc", "Parallel", "garbage collector of the emulator: Parallel (as the Helm chart runs it) or G1 (the JVM's default)");
        if (!GARBAGE_COLLECTORS.contains(emulatorGc)) throw new IllegalArgumentException("--emulator-gc must be one of " + GARBAGE_COLLECTORS + ": " + emulatorGc);
        String listenerHeap = o.string("listener-heap", "512m", "-Xmx of each replica");
        Duration startTimeout = o.duration("start-timeout", "240s", "how long a service may take to become ready (the shared machine is slow)");
        boolean jfr = o.flag("jfr", "record every service JVM with JFR (settings=profile) into the run folder; summarise with JfrHotspots");
        return new EmulatorService.Settings(repo.resolve("emulator/target/emulator.jar"), repo.resolve("listener-service/target/listener-service.jar"),
                repo.resolve("coordinator/target/coordinator.jar"), runDir, List.of("-Xmx" + emulatorHeap, "-XX:+Use" + emulatorGc + "GC"),
                List.of("-Xmx" + listenerHeap),
                startTimeout, new Http(Duration.ofSeconds(30)), new EmulatorService.Profiling(jfr));
    }
}
