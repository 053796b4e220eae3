package io.tsfleet.listener.config;

import io.tsfleet.protocol.sock.SockProtocol;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the replica runs, as its heartbeats report it: the node ({@code tsfleet.listener.node}, else the environment's
 * {@code NODE_NAME}, which the chart fills from the downward API's {@code spec.nodeName}, else the host name in lower
 * case) and the zone ({@code tsfleet.listener.zone}, empty = not known).
 */
final class ReplicaPlacement {
    /** A Kubernetes label value: at most 63 characters, alphanumerics at both ends, '-', '_' and '.' inside. */
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    private ReplicaPlacement() {
    }

    static String node(String configured, Map<String, String> env) {
        if (configured != null && !configured.isBlank()) return check(configured.trim(), "tsfleet.listener.node");
        String fromEnv = env.get("NODE_NAME");
        if (fromEnv != null && !fromEnv.isBlank()) return check(fromEnv.trim(), "the environment's NODE_NAME");
        try {
            return check(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT), "the host name");
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot determine the replica's node: set tsfleet.listener.node", e);
        }
    }

    /** The zone, or null when not known. */
    static String zone(String configured) {
        return configured == null || configured.isBlank() ? null : configured.trim();
    }

    static boolean isLabelValue(String s) {
        return s != null && LABEL_VALUE.matcher(s).matches();
    }

    private static String check(String node, String source) {
        if (!SockProtocol.isValidNodeName(node)) {
            throw new IllegalArgumentException("the replica's node '" + node + "' (from " + source + ") is not a DNS subdomain "
                    + "(lower-case letters, digits, '-' and '.', at most 253 characters): set tsfleet.listener.node");
        }
        return node;
    }
}
