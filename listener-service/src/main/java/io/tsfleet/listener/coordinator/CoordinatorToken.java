package io.tsfleet.listener.coordinator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * The bearer token a replica presents to the coordinator: none, a fixed value ({@code coordinator-token}), or the
 * contents of a file ({@code coordinator-token-file}, e.g. a Kubernetes projected service-account token, which the
 * kubelet rotates): the file is re-read whenever its modification time or size changes, and a file that cannot
 * be read then keeps the last token (with an error in the log) until it can be.
 */
public abstract sealed class CoordinatorToken {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorToken.class);

    /** The token to send now, or null for none. */
    public abstract String current();

    public static CoordinatorToken none() {
        return new Fixed(null);
    }

    public static CoordinatorToken fixed(String token) {
        return new Fixed(token == null || token.isBlank() ? null : token.strip());
    }

    /** @throws UncheckedIOException when the file cannot be read now */
    public static CoordinatorToken fromFile(Path file) {
        return new FromFile(file);
    }

    static final class Fixed extends CoordinatorToken {
        private final String token;

        Fixed(String token) {
            this.token = token;
        }

        @Override
        public String current() {
            return token;
        }
    }

    static final class FromFile extends CoordinatorToken {
        private record Version(String token, FileTime modified, long size) {
        }

        private final Path file;
        private volatile Version version;

        FromFile(Path file) {
            this.file = file;
            try {
                this.version = read();
            } catch (IOException e) {
                throw new UncheckedIOException("tsfleet.listener.coordinator-token-file " + file + " cannot be read: " + e.getMessage(), e);
            }
            if (version.token().isEmpty()) throw new IllegalArgumentException("tsfleet.listener.coordinator-token-file " + file + " is empty");
        }

        @Override
        public String current() {
            Version v = version;
            try {
                FileTime modified = Files.getLastModifiedTime(file);
                long size = Files.size(file);
                if (Objects.equals(modified, v.modified()) && size == v.size()) return v.token();
                Version fresh = read();
                if (fresh.token().isEmpty()) {
                    log.error("the coordinator token file {} is empty now; the previous token is kept", file);
                    version = new Version(v.token(), fresh.modified(), fresh.size());
                } else {
                    version = fresh;
                    log.info("re-read the coordinator token from {}", file);
                }
            } catch (IOException e) {
                log.error("the coordinator token file {} cannot be read, the previous token is kept: {}", file, e.toString());
            }
            return version.token();
        }

        private Version read() throws IOException {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            return new Version(Files.readString(file, StandardCharsets.UTF_8).strip(), modified, size);
        }
    }
}
