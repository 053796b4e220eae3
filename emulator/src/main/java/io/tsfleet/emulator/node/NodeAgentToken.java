package io.tsfleet.emulator.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The bearer token a {@link NodeAgent} presents to the coordinator: none, a fixed value
 * ({@code tsfleet.emulator.node.coordinator-token}), or the contents of a file
 * ({@code tsfleet.emulator.node.coordinator-token-file}). The file is read again before every announcement and every
 * withdrawal, so a token that is replaced while the agent runs - a Kubernetes projected service-account token, which
 * the kubelet rotates before it expires - is the one the next request carries.
 */
public sealed interface NodeAgentToken {

    /**
     * The token to send now; empty for none.
     *
     * @throws UnreadableTokenException when the token file cannot be read now or is empty (the attempt fails and is
     *                                  counted; nothing is sent)
     */
    Optional<String> current() throws UnreadableTokenException;

    /** Where the token comes from, for logs (never the token itself). */
    String describe();

    static NodeAgentToken none() {
        return new Fixed("");
    }

    static NodeAgentToken fixed(String token) {
        return new Fixed(token == null ? "" : token.strip());
    }

    /**
     * A token read from {@code file} before every request.
     *
     * @throws IllegalArgumentException when the file cannot be read now or is empty: a clear error at start
     */
    static NodeAgentToken fromFile(Path file) {
        FromFile f = new FromFile(file);
        try {
            f.current();
        } catch (UnreadableTokenException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return f;
    }

    /** A fixed token (or none, when blank). */
    record Fixed(String token) implements NodeAgentToken {
        @Override
        public Optional<String> current() {
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }

        @Override
        public String describe() {
            return token.isEmpty() ? "no token" : "tsfleet.emulator.node.coordinator-token";
        }
    }

    /** A token file, read anew for every request. */
    record FromFile(Path file) implements NodeAgentToken {
        /** A service-account token is about a kilobyte; a file far larger is a mistake, and is not read whole every few seconds. */
        static final long MAX_BYTES = 16 * 1024;

        @Override
        public Optional<String> current() throws UnreadableTokenException {
            String token;
            try {
                if (Files.size(file) > MAX_BYTES) {
                    throw new UnreadableTokenException("tsfleet.emulator.node.coordinator-token-file " + file + " is larger than " + MAX_BYTES
                            + " bytes: not a token");
                }
                token = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException | RuntimeException e) {
                throw new UnreadableTokenException("tsfleet.emulator.node.coordinator-token-file " + file + " cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
            if (token.isEmpty()) throw new UnreadableTokenException("tsfleet.emulator.node.coordinator-token-file " + file + " is empty");
            return Optional.of(token);
        }

        @Override
        public String describe() {
            return "the token file " + file;
        }
    }

    /** The token file cannot be read or is empty; the message names the setting and the file (no varying detail). */
    final class UnreadableTokenException extends Exception {
        public UnreadableTokenException(String message) {
            super(message);
        }
    }
}
