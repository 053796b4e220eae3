package io.tsfleet.emulator.live;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Produces real task exits on a chosen CPU: {@code taskset -c N /bin/true}. taskset sets the affinity and execs
 * {@code true} in the same process, so exactly one task (comm {@code "true"}, pid = the returned pid) exits on
 * CPU N. The kernel queues its taskstats event before the parent can reap it, so the event is in the listeners'
 * queues when this method returns.
 */
public final class PinnedExits {
    public static final String COMM = "true";

    private PinnedExits() {
    }

    /** Runs one short-lived process pinned to {@code cpu}, waits for it and returns its pid. */
    public static long exitOn(int cpu) {
        try {
            Process p = new ProcessBuilder("taskset", "-c", Integer.toString(cpu), "/bin/true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("taskset -c " + cpu + " /bin/true did not exit within 10 s");
            }
            if (p.exitValue() != 0) throw new IllegalStateException("taskset -c " + cpu + " /bin/true exited with " + p.exitValue());
            return p.pid();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run taskset: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing an exit on CPU " + cpu, e);
        }
    }
}
