package io.tsfleet.coordinator.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Maps a bearer token to the role it grants. Tokens are compared in constant time. Empty entries of the
 * comma-separated lists are ignored; with no tokens configured, nothing is accepted.
 */
public final class TokenAuthenticator {

    /** What a token may do. ADMIN includes READ and REPLICA. */
    public enum Role { ADMIN, READ, REPLICA }

    private final List<byte[]> admin, read, replica;

    public TokenAuthenticator(List<String> adminTokens, List<String> readTokens, List<String> replicaTokens) {
        this.admin = bytes(adminTokens);
        this.read = bytes(readTokens);
        this.replica = bytes(replicaTokens);
    }

    /** The role of a token, if it is known. An admin token wins over other lists that also hold it. */
    public Optional<Role> roleOf(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        byte[] t = token.getBytes(StandardCharsets.UTF_8);
        if (matches(admin, t)) return Optional.of(Role.ADMIN);
        if (matches(read, t)) return Optional.of(Role.READ);
        if (matches(replica, t)) return Optional.of(Role.REPLICA);
        return Optional.empty();
    }

    /** Whether {@code granted} satisfies {@code needed}. */
    public static boolean allows(Role granted, Role needed) {
        return granted == Role.ADMIN || granted == needed;
    }

    public boolean hasAnyToken() {
        return !admin.isEmpty() || !read.isEmpty() || !replica.isEmpty();
    }

    private static boolean matches(List<byte[]> tokens, byte[] candidate) {
        boolean found = false;
        for (byte[] t : tokens) found |= MessageDigest.isEqual(t, candidate);
        return found;
    }

    private static List<byte[]> bytes(List<String> tokens) {
        return tokens == null ? List.of() : tokens.stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
