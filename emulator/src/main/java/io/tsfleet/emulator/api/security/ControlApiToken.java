package io.tsfleet.emulator.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The configured bearer token of the control API's writes, or none. Tokens are compared by their SHA-256 digests in
 * constant time, so neither their content nor their length leaks through timing.
 */
public final class ControlApiToken {
    private final byte[] digest;

    private ControlApiToken(byte[] digest) {
        this.digest = digest;
    }

    /** {@code token} null or blank: no token, writes are for loopback clients only. */
    public static ControlApiToken of(String token) {
        return new ControlApiToken(token == null || token.isBlank() ? null : sha256(token));
    }

    public boolean configured() {
        return digest != null;
    }

    public boolean matches(String presented) {
        return digest != null && presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return configured() ? "ControlApiToken[configured]" : "ControlApiToken[none]";
    }
}
