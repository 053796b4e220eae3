package io.tsfleet.listener.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/** The replica id: configured, else the pod name ({@code HOSTNAME}, set by Kubernetes), else the host name. */
final class ReplicaIdentity {
    private ReplicaIdentity() {
    }

    static String resolve(String configured, Map<String, String> env) {
        if (configured != null && !configured.isBlank()) return check(configured.trim());
        String pod = env.get("HOSTNAME");
        if (pod != null && !pod.isBlank()) return check(pod.trim());
        try {
            return check(InetAddress.getLocalHost().getHostName());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot determine the replica id: set tsfleet.listener.id", e);
        }
    }

    private static String check(String id) {
        if (id.length() > 253 || !id.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("replica id '" + id + "' must be 1..253 characters of [A-Za-z0-9._-]");
        }
        return id;
    }
}
