package io.tsfleet.emulator.live;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The repository's {@code testdata/shared} folder: the {@code tsfleet.shared.dir} property, else found upwards from the working directory. */
final class SharedTestData {
    private SharedTestData() {
    }

    static Path dir() {
        String prop = System.getProperty("tsfleet.shared.dir");
        if (prop != null && Files.isDirectory(Path.of(prop))) return Path.of(prop);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata/shared");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("testdata/shared not found (set -Dtsfleet.shared.dir)");
    }

    static Optional<Path> file(String relative) {
        Path p = dir().resolve(relative);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
