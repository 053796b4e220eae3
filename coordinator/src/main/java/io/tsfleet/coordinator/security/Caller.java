package io.tsfleet.coordinator.security;

import io.tsfleet.coordinator.security.TokenAuthenticator.Role;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a bearer token proved to be: its role and, for a replica credential bound to one replica (a per-replica token
 * or a Kubernetes service-account token), that replica's id. A replica caller without an id holds a shared replica
 * token and may heartbeat as any replica. A node agent's credential may be bound to its node the same way (a
 * Kubernetes service-account token of a pod on that node); a node caller without a node holds a node token.
 *
 * @param role      what the token may do
 * @param replicaId the one replica a bound replica credential speaks for; empty for admin, read and shared tokens
 * @param source    where the credential was found, for logs and problem details
 * @param nodeName  the one node a bound node-agent credential speaks for; empty for every other caller
 */
public record Caller(Role role, Optional<String> replicaId, String source, Optional<String> nodeName) {

    public Caller {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(replicaId, "replicaId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(nodeName, "nodeName");
        if (replicaId.isPresent() && role != Role.REPLICA) throw new IllegalArgumentException("only a replica caller is bound to a replica id");
        if (nodeName.isPresent() && role != Role.NODE) throw new IllegalArgumentException("only a node caller is bound to a node");
    }

    public static Caller of(Role role, String source) {
        return new Caller(role, Optional.empty(), source, Optional.empty());
    }

    public static Caller replica(String replicaId, String source) {
        return new Caller(Role.REPLICA, Optional.of(replicaId), source, Optional.empty());
    }

    public static Caller node(String nodeName, String source) {
        return new Caller(Role.NODE, Optional.empty(), source, Optional.of(nodeName));
    }

    /** Whether this caller may announce or withdraw node {@code name}: a node agent's credential (bound to that node, or a node token), nobody else. */
    public boolean mayAnnounceAs(String name) {
        if (role != Role.NODE) return false;
        return nodeName.map(own -> own.equals(name)).orElse(true);
    }

    /** Whether this caller may send the heartbeat of replica {@code id}: admin, a shared replica token, or the replica itself. */
    public boolean mayHeartbeatAs(String id) {
        if (role == Role.ADMIN) return true;
        if (role != Role.REPLICA) return false;
        return replicaId.map(own -> own.equals(id)).orElse(true);
    }

    /** A name for logs: the role, and the replica for a bound credential. */
    public String describe() {
        if (nodeName.isPresent()) return "the node credential of '" + nodeName.get() + "' (" + source + ")";
        return replicaId.map(id -> "the replica credential of '" + id + "' (" + source + ")").orElse((role == Role.ADMIN ? "an " : "a ") + role.name().toLowerCase(Locale.ROOT) + " token");
    }
}
