package io.tsfleet.helm.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's {@code promtool} (package {@code prometheus}, which .ci/run installs). */
public final class Promtool {
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private Promtool() {
    }

    public static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("promtool is not installed: apt-get install --no-install-recommends prometheus (.ci/run does)");
    }

    public static Result checkRules(Path rulesFile) {
        return run(List.of("check", "rules", rulesFile.toString()), rulesFile.getParent());
    }

    public static Result testRules(Path testFile) {
        return run(List.of("test", "rules", testFile.getFileName().toString()), testFile.getParent());
    }

    public static Result run(List<String> arguments, Path workingDirectory) {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("promtool did not finish within 60 s: " + command);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
