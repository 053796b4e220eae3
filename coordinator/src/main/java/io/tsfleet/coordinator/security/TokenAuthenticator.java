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

    private final List<SecretToken> admin, read, sharedReplica;
    private final NodeTokens node;

    public TokenAuthenticator(List<String> adminTokens, List<String> readTokens, List<String> sharedReplicaTokens) {
        this(adminTokens, readTokens, sharedReplicaTokens, List.of());
    }

    public TokenAuthenticator(List<String> adminTokens, List<String> readTokens, List<String> sharedReplicaTokens, List<String> nodeTokens) {
        this.admin = secrets(adminTokens);
        this.read = secrets(readTokens);
        this.sharedReplica = secrets(sharedReplicaTokens);
        this.node = NodeTokens.parse(nodeTokens);
    }

    /** The role of a token, if it is known. An admin token wins over other lists that also hold it. */
    public Optional<Role> roleOf(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        boolean isAdmin = SecretToken.anyMatches(admin, token), isRead = SecretToken.anyMatches(read, token),
                isReplica = SecretToken.anyMatches(sharedReplica, token), isNode = node.match(token).isPresent();
        if (isAdmin) return Optional.of(Role.ADMIN);
        if (isRead) return Optional.of(Role.READ);
        if (isReplica) return Optional.of(Role.REPLICA);
        if (isNode) return Optional.of(Role.NODE);
        return Optional.empty();
    }

    /**
     * The caller a static token makes: admin, read, a shared replica token (not bound to a replica id), or a node token
     * (bound to one node, {@code <node>=<token>}, or unbound).
     */
    public Optional<Caller> callerOf(String token) {
        Optional<Role> role = roleOf(token);
        if (role.isPresent() && role.get() == Role.NODE && node.match(token).orElseThrow() instanceof NodeTokens.Match.OneNode(String name)) {
            return Optional.of(Caller.node(name, "bound node token"));
        }
        return role.map(r -> Caller.of(r, switch (r) {
            case REPLICA -> "shared replica token";
            case NODE -> "node token";
            default -> r.name().toLowerCase(Locale.ROOT) + " token";
        }));
    }

    /** Whether {@code granted} satisfies {@code needed}. */
    public static boolean allows(Role granted, Role needed) {
        return granted == needed || granted == Role.ADMIN && needed != Role.NODE;
    }

    public boolean hasAnyToken() {
        return !admin.isEmpty() || !read.isEmpty() || !sharedReplica.isEmpty() || !node.isEmpty();
    }

    /** Whether some node token speaks for every node (an entry of {@code node-tokens} without {@code <node>=}). */
    public boolean hasUnboundNodeTokens() {
        return node.hasUnbound();
    }

    /** How many node tokens are bound to one node each. */
    public int boundNodeTokens() {
        return node.boundCount();
    }

    public boolean hasSharedReplicaTokens() {
        return !sharedReplica.isEmpty();
    }

    private static List<SecretToken> secrets(List<String> tokens) {
        return tokens == null ? List.of() : tokens.stream().map(String::trim).filter(s -> !s.isEmpty()).map(SecretToken::of).toList();
    }
}
