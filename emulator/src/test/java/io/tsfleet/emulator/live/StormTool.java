package io.tsfleet.emulator.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared exit-storm generator {@code testdata/shared/tools/storm.c}, compiled with gcc into {@code target/} by the
 * test: {@code storm SECONDS WORKERS} forks WORKERS processes pinned to CPU {@code w % ncpu}, each looping
 * {@code fork(); child _exit(0); waitpid()}, and prints one JSON line with each worker's pid, CPU and exit count.
 */
final class StormTool {
    /** One worker: its pid, its CPU, and how many children it reaped. */
    record Worker(long pid, int cpu, long exits) {
    }

    /** The storm's report: the workers and the pid of the storm process itself. */
    record Report(long stormPid, List<Worker> workers) {
        long childExits() {
            return workers.stream().mapToLong(Worker::exits).sum();
        }
    }

    private static final Pattern WORKER = Pattern.compile("\\{\"pid\": (\\d+), \"cpu\": (\\d+), \"exits\": (\\d+)}");

    private final Path binary;

    private StormTool(Path binary) {
        this.binary = binary;
    }

    /** Compiles the storm tool once into {@code target/}; skips the test when gcc or the source is missing. */
    static synchronized StormTool build() throws IOException, InterruptedException {
        Path source = SharedTestData.file("tools/storm.c").orElse(null);
        assumeTrue(source != null, "testdata/shared/tools/storm.c not found");
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        Path binary = target.resolve("storm");
        if (Files.isExecutable(binary) && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) > 0) {
            return new StormTool(binary);
        }
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), source.toString(), "-lpthread").redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not available to build the storm tool: " + e.getMessage());
            throw e;
        }
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) throw new IOException("gcc failed to build storm: " + out);
        return new StormTool(binary);
    }

    /** Runs a storm and returns its report. */
    Report run(double seconds, int workers) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary.toString(), Double.toString(seconds), Integer.toString(workers))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor((long) seconds + 30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("storm did not finish");
        }
        if (p.exitValue() != 0) throw new IOException("storm exited with " + p.exitValue() + ": " + out);
        List<Worker> list = new ArrayList<>();
        Matcher m = WORKER.matcher(out);
        while (m.find()) list.add(new Worker(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3))));
        if (list.size() != workers) throw new IOException("unexpected storm output: " + out);
        return new Report(p.pid(), List.copyOf(list));
    }
}
