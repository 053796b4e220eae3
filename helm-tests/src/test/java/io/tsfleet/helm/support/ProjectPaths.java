package io.tsfleet.helm.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's parts are: the build passes the root as {@code tsfleet.project.dir}. */
public final class ProjectPaths {
    private ProjectPaths() {
    }

    public static Path root() {
        String configured = System.getProperty("tsfleet.project.dir");
        Path root = configured != null && !configured.isBlank() ? Path.of(configured) : Path.of("").toAbsolutePath().getParent();
        if (!Files.isDirectory(root.resolve("helm/taskstats-fleet"))) {
            throw new IllegalStateException("not the repository root (no helm/taskstats-fleet): " + root
                    + "; run through Maven, which sets tsfleet.project.dir");
        }
        return root.toAbsolutePath().normalize();
    }

    public static Path chart() {
        return root().resolve("helm/taskstats-fleet");
    }

    public static Path deployPrometheus() {
        return root().resolve("deploy/prometheus");
    }

    public static Path dashboards() {
        return chart().resolve("files/dashboards");
    }

    /** A value set of this module's test resources ({@code src/test/resources/values/NAME.yaml}). */
    public static Path valueSet(String name) {
        return root().resolve("helm-tests/src/test/resources/values").resolve(name + ".yaml");
    }
}
