package io.tsfleet.coordinator.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The role label on this coordinator's own pod ({@code tsfleet.io/coordinator-role: leader|standby}), which the
 * coordinator Service selects, so that heartbeats and admin calls reach the leader only while every healthy
 * coordinator stays Ready (the pattern Patroni uses).
 *
 * <p>{@link #sync()} brings the label to the wanted role with a JSON merge patch of the pod (RBAC: {@code patch} on
 * pods). While leading it first sets every OTHER coordinator pod of the release (the {@code peerSelector}) that still
 * carries {@code leader} back to {@code standby}: a leader that died without removing its label (its container
 * restarted, or it was cut off from the API server) must not stay selected next to the new one (RBAC: {@code list}).
 * A failed patch or list is logged and counted, and the next {@link #sync()} (the caller runs one every retry period)
 * tries again; until its own label is on, a leader is visibly not serving (no Service endpoint). A failed list does
 * not keep the leader from labelling itself: a pod wrongly still selected only answers 503 "Not the leader".
 */
public final class LeaderPodLabel {
    private static final Logger log = LoggerFactory.getLogger(LeaderPodLabel.class);

    public static final String DEFAULT_KEY = "tsfleet.io/coordinator-role";

    /** The label's values. */
    public enum Role {
        LEADER("leader"), STANDBY("standby");

        private final String value;

        Role(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String podName;
    private final String key;
    private final Map<String, String> peerSelector;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong staleLabelsCleared = new AtomicLong();
    private volatile Role wanted = Role.STANDBY;
    /** The role the pod is known to carry; null until the first successful patch and after a failed one. */
    private volatile Role applied;

    public LeaderPodLabel(KubernetesClient client, String namespace, String podName, String key, Map<String, String> peerSelector) {
        if (podName == null || podName.isBlank()) throw new IllegalArgumentException("the coordinator's pod name is needed to label it");
        if (peerSelector.isEmpty()) throw new IllegalArgumentException("the peer selector must name the release's coordinator pods");
        this.client = client;
        this.namespace = namespace;
        this.podName = podName;
        this.key = key;
        this.peerSelector = Map.copyOf(peerSelector);
    }

    /** From now on the pod should carry {@code role}; call {@link #sync()} to apply it. */
    public void want(Role role) {
        wanted = role;
    }

    /**
     * Applies the wanted role: while leading, stale leader labels of the other coordinator pods are cleared first,
     * then this pod's label is patched if it is not known to carry the role. Returns false when anything failed
     * (counted in {@link #failures()}); {@link #inSync()} says whether this pod carries its role.
     */
    public synchronized boolean sync() {
        Role role = wanted;
        boolean ok = true;
        if (role == Role.LEADER) {
            // a stale label only sends some requests to a pod that answers 503: clearing it must not keep this
            // leader from labelling itself
            try {
                clearStaleLeaders();
            } catch (KubernetesClientException e) {
                ok = false;
                failures.incrementAndGet();
                log.warn("cannot clear stale {}={} labels of the other coordinator pods in {} ({}): {}; retrying on the next renewal",
                        key, Role.LEADER.value(), namespace, peerSelector, e.getMessage());
            }
        }
        if (applied != role) {
            try {
                label(podName, role);
                applied = role;
                log.info("pod {}/{} labelled {}={}", namespace, podName, key, role.value());
            } catch (KubernetesClientException e) {
                ok = false;
                applied = null;
                failures.incrementAndGet();
                log.warn("cannot label pod {}/{} {}={} ({}): {}; retrying on the next renewal", namespace, podName, key, role.value(),
                        role == Role.LEADER ? "no Service traffic reaches this leader until then" : "it may still receive the leader's traffic",
                        e.getMessage());
            }
        }
        return ok;
    }

    private void clearStaleLeaders() {
        Map<String, String> selector = new LinkedHashMap<>(peerSelector);
        selector.put(key, Role.LEADER.value());
        for (Pod pod : client.pods().inNamespace(namespace).withLabels(selector).list().getItems()) {
            String name = pod.getMetadata().getName();
            if (name.equals(podName)) continue;
            label(name, Role.STANDBY);
            staleLabelsCleared.incrementAndGet();
            log.warn("pod {}/{} still carried {}={} while {} leads: set to {}", namespace, name, key, Role.LEADER.value(), podName,
                    Role.STANDBY.value());
        }
    }

    private void label(String pod, Role role) {
        String patch = "{\"metadata\":{\"labels\":{\"" + key + "\":\"" + role.value() + "\"}}}";
        client.pods().inNamespace(namespace).withName(pod).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    /** Whether the pod is known to carry the wanted role. */
    public boolean inSync() {
        return applied == wanted;
    }

    /** Failed label patches or peer lists so far. */
    public long failures() {
        return failures.get();
    }

    /** Leader labels of other coordinator pods set back to standby so far. */
    public long staleLabelsCleared() {
        return staleLabelsCleared.get();
    }

    public String podName() {
        return podName;
    }

    public String key() {
        return key;
    }

    /**
     * Parses a label selector of equality terms, {@code k1=v1,k2=v2} (the form the chart renders), into a map.
     *
     * @throws IllegalArgumentException when a term is not {@code key=value}
     */
    public static Map<String, String> parseSelector(String selector) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String term : selector.split(",")) {
            String t = term.strip();
            if (t.isEmpty()) continue;
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1 || t.indexOf('=', eq + 1) >= 0 || t.contains("!")) {
                throw new IllegalArgumentException("'" + t + "' is not a key=value label term");
            }
            labels.put(t.substring(0, eq).strip(), t.substring(eq + 1).strip());
        }
        return labels;
    }
}
