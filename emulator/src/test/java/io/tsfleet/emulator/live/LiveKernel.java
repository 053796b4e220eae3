package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.emulator.live.netlink.GenlController;
import io.tsfleet.emulator.live.netlink.ResolvedFamily;
import io.tsfleet.emulator.live.netlink.LiveNetlinkSocket;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Whether the tests can talk to the live kernel's TASKSTATS family: Linux, CAP_NET_ADMIN (root), the family
 * registered ({@code CONFIG_TASKSTATS}) and {@code taskset} to pin exits. Tests call {@link #assumeAvailable()}
 * and are skipped with the reason when something is missing; on a root Linux CI runner they run.
 */
public final class LiveKernel {
    private static final int CAP_NET_ADMIN = 12;
    private static volatile String unavailableReason;
    private static volatile ResolvedFamily taskstats;

    private LiveKernel() {
    }

    /** The node name the live tests give the kernel backend. */
    public static final String NODE_NAME = "live-test-node";

    /** This machine as the kernel backend's tests name it: {@link #NODE_NAME} and the running kernel's boot id. */
    public static NodeIdentity node() {
        try {
            return new NodeIdentity(NODE_NAME, LiveSystem.bootId(LiveSystem.BOOT_ID));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + LiveSystem.BOOT_ID, e);
        }
    }

    /** For {@code @EnabledIf}: whether the live interface is usable (see {@link #assumeAvailable()} for the reason when not). */
    public static synchronized boolean available() {
        if (taskstats == null && unavailableReason == null) probe();
        return unavailableReason == null;
    }

    /** The TASKSTATS family as the kernel reports it; skips the calling test when the live interface is unavailable. */
    public static synchronized ResolvedFamily assumeAvailable() {
        if (taskstats == null && unavailableReason == null) probe();
        assumeTrue(unavailableReason == null, () -> "live kernel TASKSTATS not available: " + unavailableReason);
        return taskstats;
    }

    private static void probe() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            unavailableReason = "not Linux (" + System.getProperty("os.name") + ")";
            return;
        }
        if (!hasNetAdmin()) {
            unavailableReason = "the test JVM lacks CAP_NET_ADMIN (run as root)";
            return;
        }
        if (!Files.isExecutable(Path.of("/usr/bin/taskset")) && !Files.isExecutable(Path.of("/bin/taskset"))) {
            unavailableReason = "taskset (util-linux) is not installed, exits cannot be pinned to CPUs";
            return;
        }
        try (LiveNetlinkSocket s = LiveNetlinkSocket.open()) {
            Optional<ResolvedFamily> f = GenlController.byName(s, TaskstatsProtocol.FAMILY_NAME, Duration.ofSeconds(2));
            if (f.isEmpty()) unavailableReason = "the kernel has no TASKSTATS generic netlink family (CONFIG_TASKSTATS off)";
            else taskstats = f.get();
        } catch (IOException | RuntimeException | LinkageError e) {
            unavailableReason = "cannot open a NETLINK_GENERIC socket: " + e;
        }
    }

    private static boolean hasNetAdmin() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << CAP_NET_ADMIN)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
