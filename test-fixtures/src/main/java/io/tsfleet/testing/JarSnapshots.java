package io.tsfleet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarFile;

/**
 * Each service jar is copied into the run folder once, on first use, and every process of the run starts from the
 * copy: other engineers rebuild the jars on this machine while benchmarks run, and a JVM whose jar is replaced under it
 * fails with {@code NoClassDefFoundError} in the middle of a run. A copy that is not a complete jar (caught mid-write)
 * is retried.
 */
final class JarSnapshots {
    private static final Map<Path, Path> COPIES = new HashMap<>();

    private JarSnapshots() {
    }

    static synchronized Path of(Path jar, Path runDir) throws IOException {
        Path known = COPIES.get(jar);
        if (known != null) return known;
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing: build it first (./mvnw -B -q -o -pl <module> -am package -DskipTests)");
        }
        Path dir = Files.createDirectories(runDir.resolve("jars"));
        Path copy = dir.resolve(jar.getFileName());
        IOException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                try (JarFile j = new JarFile(copy.toFile())) {
                    if (j.getManifest() == null || j.size() == 0) throw new IOException(jar + " has no manifest or no entries");
                }
                COPIES.put(jar, copy);
                // which build was measured: the jars change under us during the day
                System.out.printf("# using %s (built %s, sha256 %s)%n", jar, Files.getLastModifiedTime(copy), sha256Prefix(copy));
                return copy;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(3000);                     // being rebuilt right now: wait for the build to finish
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while copying " + jar, ie);
                }
            }
        }
        throw new IOException("could not take a complete copy of " + jar + " (is it being rebuilt in a loop?)", last);
    }

    private static String sha256Prefix(Path file) throws IOException {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) d.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(d.digest()).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
