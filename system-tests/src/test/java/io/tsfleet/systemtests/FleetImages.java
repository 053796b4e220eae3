package io.tsfleet.systemtests;

import org.testcontainers.images.builder.ImageFromDockerfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The services' images, built once per test run from each module's production {@code Dockerfile} and the jar the
 * build just made, on the local JRE base image ({@code scripts/docker-setup.sh} creates it; no registry needed).
 */
final class FleetImages {
    static final String BASE_IMAGE = "localhost/temurin-jre:25";
    private static final Map<String, String> BUILT = new ConcurrentHashMap<>();

    private FleetImages() {
    }

    static Path projectDir() {
        Path p = Path.of(System.getProperty("tsfleet.project.dir", "..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p.resolve("pom.xml"))) throw new IllegalStateException("project directory not found at " + p);
        return p;
    }

    /** The image name of a service module ({@code emulator}, {@code coordinator}, {@code listener-service}). */
    static String image(String module) {
        return BUILT.computeIfAbsent(module, FleetImages::build);
    }

    /**
     * The Kafka broker's image ({@code src/test/docker/kafka-broker}): the server jars that the build copied to
     * {@code system-tests/target/kafka-broker/lib} (Maven resolved them from Maven Central), on the same base image.
     */
    static String kafkaBroker() {
        return BUILT.computeIfAbsent("kafka-broker", m -> {
            Path module = projectDir().resolve("system-tests");
            Path lib = module.resolve("target/kafka-broker/lib");
            if (!Files.isRegularFile(lib.resolve("kafka_2.13-" + KafkaBroker.VERSION + ".jar"))) {
                throw new IllegalStateException(lib + " lacks the Kafka server jars: the build copies them in the pre-integration-test phase "
                        + "(./mvnw -B verify -pl system-tests)");
            }
            Path docker = module.resolve("src/test/docker/kafka-broker");
            try {
                return new ImageFromDockerfile("localhost/tsfleet-kafka-broker:it", false)
                        .withFileFromPath("Dockerfile", docker.resolve("Dockerfile"))
                        .withFileFromPath("kafka-broker.sh", docker.resolve("kafka-broker.sh"))
                        .withFileFromPath("lib", lib)
                        .withBuildArg("BASE_IMAGE", BASE_IMAGE)
                        .get();
            } catch (Exception e) {
                throw new IllegalStateException("cannot build the Kafka broker's image (is " + BASE_IMAGE + " present?)", e);
            }
        });
    }

    private static String build(String module) {
        Path dir = projectDir().resolve(module);
        Path jar = dir.resolve("target/" + module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the services first (./mvnw -B verify builds them before system-tests)");
        }
        String name = "localhost/tsfleet-" + module + ":it";
        try {
            return new ImageFromDockerfile(name, false)
                    .withFileFromPath("Dockerfile", dir.resolve("Dockerfile"))
                    .withFileFromPath("target/" + module + ".jar", jar)
                    .withBuildArg("BASE_IMAGE", BASE_IMAGE)
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the image of " + module + " (is " + BASE_IMAGE + " present?)", e);
        }
    }
}
