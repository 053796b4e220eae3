package io.tsfleet.coordinator.security;

import io.tsfleet.service.security.SecretToken;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The statically configured tokens: admin, read, shared replica and node-agent tokens. Tokens are kept as SHA-256 digests and compared in
 * constant time (every configured token is compared, whatever matched). Empty entries of the comma-separated lists are ignored;
 * with no tokens configured, no token is known here.
 */
public final class TokenAuthenticator {

    /**
     * What a token may do. ADMIN includes READ and REPLICA; NODE (a node agent) only announces and withdraws nodes, and
     * nothing else includes it: not even an admin token announces a node.
     */
    public enum Role { ADMIN, READ, REPLICA, NODE }

    private final List<SecretToken> admin, read, sharedReplica, node;

    public TokenAuthenticator(List<String> adminTokens, List<String> readTokens, List<String> sharedReplicaTokens) {
        this(adminTokens, readTokens, sharedReplicaTokens, List.of());
    }

    public TokenAuthenticator(List<String> adminTokens, List<String> readTokens, List<String> sharedReplicaTokens, List<String> nodeTokens) {
        this.admin = secrets(adminTokens);
        this.read = secrets(readTokens);
        this.sharedReplica = secrets(sharedReplicaTokens);
        this.node = secrets(nodeTokens);
    }

    /** The role of a token, if it is known. An admin token wins over other lists that also hold it. */
    public Optional<Role> roleOf(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        boolean isAdmin = SecretToken.anyMatches(admin, token), isRead = SecretToken.anyMatches(read, token),
                isReplica = SecretToken.anyMatches(sharedReplica, token), isNode = SecretToken.anyMatches(node, token);
        if (isAdmin) return Optional.of(Role.ADMIN);
        if (isRead) return Optional.of(Role.READ);
        if (isReplica) return Optional.of(Role.REPLICA);
        if (isNode) return Optional.of(Role.NODE);
        return Optional.empty();
    }

    /** The caller a static token makes: admin, read, a shared replica token (not bound to a replica id), or a node token. */
    public Optional<Caller> callerOf(String token) {
        return roleOf(token).map(role -> Caller.of(role, switch (role) {
            case REPLICA -> "shared replica token";
            case NODE -> "node token";
            default -> role.name().toLowerCase(Locale.ROOT) + " token";
        }));
    }

    /** Whether {@code granted} satisfies {@code needed}. */
    public static boolean allows(Role granted, Role needed) {
        return granted == needed || granted == Role.ADMIN && needed != Role.NODE;
    }

    public boolean hasAnyToken() {
        return !admin.isEmpty() || !read.isEmpty() || !sharedReplica.isEmpty() || !node.isEmpty();
    }

    public boolean hasSharedReplicaTokens() {
        return !sharedReplica.isEmpty();
    }

    private static List<SecretToken> secrets(List<String> tokens) {
        return tokens == null ? List.of() : tokens.stream().map(String::trim).filter(s -> !s.isEmpty()).map(SecretToken::of).toList();
    }
}
