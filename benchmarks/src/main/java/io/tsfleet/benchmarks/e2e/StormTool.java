package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.ServiceProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** {@code testdata/shared/tools/storm.c}: built with gcc into {@code benchmarks/target/storm}, run, its JSON line read. */
final class StormTool {
    private StormTool() {
    }

    /**
     * One storm.
     *
     * @param exits         children forked and reaped by the workers
     * @param workers       worker processes (each also exits, as a task named {@code storm})
     * @param ratePerSecond exits per second over the storm
     */
    record Result(long exits, int workers, double ratePerSecond) {
        /** Exit events of tasks named {@code storm}: the children, the workers and the main process. */
        long expectedEvents() {
            return exits + workers + 1;
        }
    }

    static Path build(Path repo, PrintStream out) throws IOException, InterruptedException {
        Path source = repo.resolve("testdata/shared/tools/storm.c");
        Path binary = repo.resolve("benchmarks/target/storm");
        if (!Files.isRegularFile(source)) throw new IOException(source + " is missing");
        if (Files.isRegularFile(binary) && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) >= 0) return binary;
        Files.createDirectories(binary.getParent());
        Process gcc = new ProcessBuilder("gcc", "-O2", "-pthread", "-o", binary.toString(), source.toString()).redirectErrorStream(true).start();
        String msg = new String(gcc.getInputStream().readAllBytes());
        if (gcc.waitFor() != 0) throw new IOException("gcc failed to build " + source + ":\n" + msg);
        out.println("# built " + binary);
        return binary;
    }

    static Result run(Path binary, Duration duration, int workers, Path runDir) throws IOException, InterruptedException {
        String secs = String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0);
        ServiceProcess p = ServiceProcess.start("storm", List.of(binary.toString(), secs, Integer.toString(workers)), runDir, Duration.ofSeconds(2));
        try {
            int rc = p.waitFor(duration.plusSeconds(60));
            if (rc != 0) throw new IOException("storm exited with " + rc + "; see " + p.log());
            String json = Files.readAllLines(p.log()).stream().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                    .orElseThrow(() -> new IOException("storm printed no JSON; see " + p.log()));
            return new Result(JsonFields.longField(json, "exits"), (int) JsonFields.longField(json, "workers"), JsonFields.doubleField(json, "rate_per_s"));
        } finally {
            p.close();
        }
    }
}
