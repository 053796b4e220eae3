package io.tsfleet.coordinator.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * The statically configured tokens: admin, read, and shared replica tokens. Tokens are compared in constant time
 * (every configured token is compared, whatever matched). Empty entries of the comma-separated lists are ignored;
 * with no tokens configured, no token is known here.
 */
public final class TokenAuthenticator {

    /** What a token may do. ADMIN includes READ and REPLICA. */
    public enum Role { ADMIN, READ, REPLICA }

    private final List<byte[]> admin, read, sharedReplica;

    public TokenAuthenticator(List<String> adminTokens, List<String> readTokens, List<String> sharedReplicaTokens) {
        this.admin = bytes(adminTokens);
        this.read = bytes(readTokens);
        this.sharedReplica = bytes(sharedReplicaTokens);
    }

    /** The role of a token, if it is known. An admin token wins over other lists that also hold it. */
    public Optional<Role> roleOf(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        byte[] t = token.getBytes(StandardCharsets.UTF_8);
        boolean isAdmin = matches(admin, t), isRead = matches(read, t), isReplica = matches(sharedReplica, t);
        if (isAdmin) return Optional.of(Role.ADMIN);
        if (isRead) return Optional.of(Role.READ);
        if (isReplica) return Optional.of(Role.REPLICA);
        return Optional.empty();
    }

    /** The caller a static token makes: admin, read, or a shared replica token (not bound to a replica id). */
    public Optional<Caller> callerOf(String token) {
        return roleOf(token).map(role -> Caller.of(role, role == Role.REPLICA ? "shared replica token" : role.name().toLowerCase() + " token"));
    }

    /** Whether {@code granted} satisfies {@code needed}. */
    public static boolean allows(Role granted, Role needed) {
        return granted == Role.ADMIN || granted == needed;
    }

    public boolean hasAnyToken() {
        return !admin.isEmpty() || !read.isEmpty() || !sharedReplica.isEmpty();
    }

    public boolean hasSharedReplicaTokens() {
        return !sharedReplica.isEmpty();
    }

    static boolean matches(List<byte[]> tokens, byte[] candidate) {
        boolean found = false;
        for (byte[] t : tokens) found |= MessageDigest.isEqual(t, candidate);
        return found;
    }

    private static List<byte[]> bytes(List<String> tokens) {
        return tokens == null ? List.of() : tokens.stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
