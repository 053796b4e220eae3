package io.tsfleet.emulator.api.security;

import io.tsfleet.service.security.SecretToken;

/**
 * The configured bearer token of the control API's writes, or none. Compared as a {@link SecretToken}: by SHA-256
 * digests in constant time, so neither its content nor its length leaks through timing.
 */
public final class ControlApiToken {
    private final SecretToken token;

    private ControlApiToken(SecretToken token) {
        this.token = token;
    }

    /** {@code token} null or blank: no token, writes are for loopback clients only. */
    public static ControlApiToken of(String token) {
        return new ControlApiToken(token == null || token.isBlank() ? null : SecretToken.of(token));
    }

    public boolean configured() {
        return token != null;
    }

    public boolean matches(String presented) {
        return token != null && token.matches(presented);
    }

    @Override
    public String toString() {
        return configured() ? "ControlApiToken[configured]" : "ControlApiToken[none]";
    }
}
