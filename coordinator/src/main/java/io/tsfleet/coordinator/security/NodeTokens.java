package io.tsfleet.coordinator.security;

import io.tsfleet.service.security.SecretToken;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The node agents' static tokens ({@code tsfleet.coordinator.security.node-tokens}), in two forms:
 * <ul>
 *   <li>{@code <node>=<token>}: a <em>bound</em> token, which announces and withdraws that one node only (the form for
 *       node agents outside Kubernetes: one token per node);</li>
 *   <li>{@code <token>} (no {@code =}): an <em>unbound</em> token, which speaks for every node name - the weaker form: its
 *       holder can announce an invented node with a broker of its choosing, or withdraw a real one.</li>
 * </ul>
 * An entry with {@code =} is always the bound form: its node must be a DNS subdomain and its token non-empty, a node
 * may have one token and a token one node; a wrong entry stops the start with a message that names the entry's
 * position, never the token. Tokens are kept as SHA-256 digests and compared in constant time, every one of them.
 */
public final class NodeTokens {
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int MAX_NAME_LENGTH = 253;
    private static final String SETTING = "tsfleet.coordinator.security.node-tokens";

    /** A token that speaks for one node. */
    private record Bound(String node, SecretToken token) {
    }

    private final List<SecretToken> unbound;
    private final List<Bound> bound;

    private NodeTokens(List<SecretToken> unbound, List<Bound> bound) {
        this.unbound = unbound;
        this.bound = bound;
    }

    /**
     * Parses the entries of the setting (blank entries are ignored).
     *
     * @throws IllegalArgumentException for a malformed bound entry, a node given twice, or a token given twice
     */
    public static NodeTokens parse(List<String> entries) {
        List<SecretToken> unbound = new ArrayList<>();
        List<Bound> bound = new ArrayList<>();
        Set<String> nodes = new HashSet<>();
        Set<String> tokens = new HashSet<>();
        int position = 0;
        for (String raw : entries == null ? List.<String>of() : entries) {
            String entry = raw == null ? "" : raw.strip();
            if (entry.isEmpty()) continue;
            position++;
            int eq = entry.indexOf('=');
            String token = eq < 0 ? entry : entry.substring(eq + 1).strip();
            if (eq >= 0) {
                String node = entry.substring(0, eq).strip();
                // "abc==" is an unbound token with padding, not node "abc" with the token "=": refused, never misread
                if (node.isEmpty() || node.length() > MAX_NAME_LENGTH || !NODE_NAME.matcher(node).matches() || token.startsWith("=")) {
                    throw new IllegalArgumentException(SETTING + ": entry " + position + " is not <node>=<token> with a node name (a DNS subdomain: "
                            + "lower-case letters, digits, '-' and '.'); a token without a node may not contain '='");
                }
                if (token.isEmpty()) throw new IllegalArgumentException(SETTING + ": entry " + position + " (node '" + node + "') has an empty token");
                if (!nodes.add(node)) throw new IllegalArgumentException(SETTING + ": node '" + node + "' has a second token (entry " + position + ")");
                bound.add(new Bound(node, SecretToken.of(token)));
            } else {
                unbound.add(SecretToken.of(token));
            }
            if (!tokens.add(token)) {
                throw new IllegalArgumentException(SETTING + ": entry " + position + " repeats the token of an earlier entry (a token speaks for one node, "
                        + "or unbound for all)");
            }
        }
        return new NodeTokens(List.copyOf(unbound), List.copyOf(bound));
    }

    /** What a presented token proves: empty when it is no node token. */
    public sealed interface Match {
        /** A bound token of this node. */
        record OneNode(String node) implements Match {
        }

        /** An unbound token: every node. */
        record AnyNode() implements Match {
        }
    }

    /** The node token {@code presented} is, if any. Every configured token is compared, whichever matched. */
    public Optional<Match> match(String presented) {
        if (presented == null || presented.isEmpty()) return Optional.empty();
        String node = null;
        for (Bound b : bound) {
            if (b.token().matches(presented)) node = b.node();
        }
        boolean any = SecretToken.anyMatches(unbound, presented);
        if (node != null) return Optional.of(new Match.OneNode(node));
        return any ? Optional.of(new Match.AnyNode()) : Optional.empty();
    }

    public boolean isEmpty() {
        return unbound.isEmpty() && bound.isEmpty();
    }

    /** Whether some token speaks for every node (the weaker, unbound form). */
    public boolean hasUnbound() {
        return !unbound.isEmpty();
    }

    /** How many tokens are bound to one node each. */
    public int boundCount() {
        return bound.size();
    }
}
