package io.tsfleet.emulator.live;

import io.tsfleet.emulator.conformance.ExitProducer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real task exits on chosen CPUs for the live conformance replay, shaped like the oracle recorder's: a child that is
 * forked and does <em>not</em> exec (so {@code ac_flag} has {@code AFORK}), optionally with extra threads that are
 * started and joined first, ending with {@code _exit(code)} or killed by a signal.
 *
 * <p>A small C daemon (compiled with gcc into {@code target/} by the test) does the forking, so that producing an exit
 * does not start and end any other process: the only exits are the children's own. Per command line
 * {@code "cpu threads exitcode signal"} it forks a child that pins itself to the CPU, runs and joins its extra threads,
 * reports its thread ids over a pipe and ends; the daemon reaps it (so the events are queued) and answers
 * {@code "tgid tid..."}.
 */
final class PinnedExitDaemon implements ExitProducer, AutoCloseable {
    private static final String SOURCE = """
            #define _GNU_SOURCE
            #include <pthread.h>
            #include <sched.h>
            #include <signal.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <sys/syscall.h>
            #include <sys/wait.h>
            #include <unistd.h>

            static int report_fd;
            static void *thread_main(void *arg) {
                (void) arg;
                dprintf(report_fd, " %ld", (long) syscall(SYS_gettid));
                return NULL;
            }

            int main(void) {
                int cpu, threads, code, sig;
                setvbuf(stdout, NULL, _IOLBF, 0);
                while (scanf("%d %d %d %d", &cpu, &threads, &code, &sig) == 4) {
                    int fds[2];
                    if (pipe(fds) != 0) return 2;
                    pid_t child = fork();
                    if (child < 0) return 3;
                    if (child == 0) {
                        cpu_set_t set;
                        CPU_ZERO(&set);
                        CPU_SET(cpu, &set);
                        if (sched_setaffinity(0, sizeof set, &set) != 0) _exit(120);
                        close(fds[0]);
                        report_fd = fds[1];
                        dprintf(report_fd, "%ld", (long) getpid());
                        for (int t = 1; t < threads; t++) {
                            pthread_t th;
                            pthread_create(&th, NULL, thread_main, NULL);
                            pthread_join(th, NULL);
                        }
                        dprintf(report_fd, "\\n");
                        close(report_fd);
                        if (sig > 0) kill(getpid(), sig);
                        _exit(code);
                    }
                    close(fds[1]);
                    char line[4096];
                    ssize_t n = 0, r;
                    while ((r = read(fds[0], line + n, sizeof line - 1 - n)) > 0) n += r;
                    line[n] = 0;
                    close(fds[0]);
                    int status;
                    waitpid(child, &status, 0);
                    if (WIFEXITED(status) && WEXITSTATUS(status) == 120) printf("ERROR cannot pin to CPU %d\\n", cpu);
                    else printf("%s", line);
                }
                return 0;
            }
            """;

    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private PinnedExitDaemon(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Compiles (once) and starts the daemon; skips the calling test when gcc is not available. */
    static PinnedExitDaemon start() throws IOException, InterruptedException {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        Path source = target.resolve("pinned-exit-daemon.c");
        Path binary = target.resolve("pinned-exit-daemon");
        if (!Files.isExecutable(binary) || !SOURCE.equals(Files.exists(source) ? Files.readString(source) : null)) {
            Files.writeString(source, SOURCE);
            Process gcc;
            try {
                gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), source.toString(), "-lpthread").redirectErrorStream(true).start();
            } catch (IOException e) {
                assumeTrue(false, "gcc is not available to build the exit daemon: " + e.getMessage());
                throw e;
            }
            String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) throw new IOException("gcc failed: " + log);
        }
        return new PinnedExitDaemon(new ProcessBuilder(binary.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start());
    }

    @Override
    public synchronized ExitedTask exit(int cpu, int threads, int exitCode, Integer signal) throws IOException {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1: " + threads);
        in.write(cpu + " " + threads + " " + exitCode + " " + (signal == null ? 0 : signal) + "\n");
        in.flush();
        String line = out.readLine();
        if (line == null) throw new IOException("the exit daemon ended");
        if (line.startsWith("ERROR")) throw new IOException(line);
        List<Integer> tids = new ArrayList<>();
        for (String t : line.trim().split("\\s+")) tids.add(Integer.parseInt(t));
        return new ExitedTask(tids.getFirst(), List.copyOf(tids));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        in.close();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
