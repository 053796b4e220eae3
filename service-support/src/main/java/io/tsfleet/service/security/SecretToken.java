package io.tsfleet.service.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A configured secret token, kept only as its SHA-256 digest and compared with a presented one in constant time, so
 * that neither its content nor its length leaks through timing. Blank tokens are not tokens: {@link #of} refuses them.
 */
public final class SecretToken {
    private final byte[] digest;

    private SecretToken(byte[] digest) {
        this.digest = digest;
    }

    /** The token {@code token} (not blank; callers trim and skip empty entries themselves). */
    public static SecretToken of(String token) {
        if (token == null || token.isBlank()) throw new IllegalArgumentException("a token must not be blank");
        return new SecretToken(sha256(token));
    }

    /** Whether {@code presented} is this token. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    /** Whether {@code presented} is any of {@code tokens}: every one is compared, whichever matched. */
    public static boolean anyMatches(Iterable<SecretToken> tokens, String presented) {
        boolean found = false;
        for (SecretToken t : tokens) found |= t.matches(presented);
        return found;
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
        return "SecretToken[redacted]";
    }
}
