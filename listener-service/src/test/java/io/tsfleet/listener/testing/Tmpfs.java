package io.tsfleet.listener.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A small real tmpfs for tests of a full device: mounted on a fresh directory (needs root; the test is skipped with
 * the reason otherwise), filled with a filler file until the kernel says ENOSPC, freed again, unmounted at the end.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;
    private final Path filler;

    private Tmpfs(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler");
    }

    /** Mounts a tmpfs of {@code size} (e.g. "64k"), or skips the calling test when that is not possible. */
    public static Tmpfs mount(String size) throws IOException, InterruptedException {
        assumeTrue("0".equals(run("id", "-u").trim()), "mounting a tmpfs needs root");
        Path dir = Files.createTempDirectory("tsfleet-tmpfs");
        String out = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        boolean mounted = run("findmnt", "-n", "-o", "FSTYPE", dir.toString()).trim().equals("tmpfs");
        if (!mounted) Files.deleteIfExists(dir);
        assumeTrue(mounted, "mount -t tmpfs is not available here: " + out.trim());
        return new Tmpfs(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Fills the device until the kernel refuses with ENOSPC; returns the bytes it took. */
    public long fill() throws IOException {
        long n = 0;
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (true) {
                out.write(chunk);
                out.flush();
                n += chunk.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left on device")) throw e;
        }
        return n;
    }

    /** Frees what {@link #fill} took. */
    public void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", dir.toString());
        // a file a failed test left open keeps the mount busy: detach it anyway, the kernel frees it once closed
        if (run("findmnt", "-n", "-o", "FSTYPE", dir.toString()).trim().equals("tmpfs")) run("umount", "-l", dir.toString());
        Files.deleteIfExists(dir);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            return out;
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
