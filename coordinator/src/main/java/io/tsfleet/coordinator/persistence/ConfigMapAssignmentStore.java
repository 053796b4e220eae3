package io.tsfleet.coordinator.persistence;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.AssignmentStore;

import java.util.Optional;

/**
 * Persists the assignment in a ConfigMap (key {@value #KEY}), so that a coordinator pod rescheduled to another
 * node, or a newly elected leader, recovers it. Only the leader writes.
 */
public final class ConfigMapAssignmentStore implements AssignmentStore {
    public static final String KEY = "assignment.json";

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public ConfigMapAssignmentStore(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    @Override
    public Optional<AssignmentSnapshot> load() {
        ConfigMap cm;
        try {
            cm = client.configMaps().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new StoreException("cannot read ConfigMap " + namespace + "/" + name + ": " + e.getMessage(), e);
        }
        if (cm == null || cm.getData() == null || !cm.getData().containsKey(KEY)) return Optional.empty();
        return Optional.of(SnapshotJson.read(cm.getData().get(KEY), "ConfigMap " + namespace + "/" + name));
    }

    @Override
    public void save(AssignmentSnapshot snapshot) {
        ConfigMap cm = new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .addToLabels("app.kubernetes.io/component", "coordinator")
                .addToLabels("app.kubernetes.io/part-of", "taskstats-fleet")
                .endMetadata()
                .addToData(KEY, SnapshotJson.write(snapshot))
                .build();
        try {
            client.configMaps().inNamespace(namespace).resource(cm).createOr(existing -> existing.update());
        } catch (KubernetesClientException e) {
            throw new StoreException("cannot write ConfigMap " + namespace + "/" + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ConfigMap " + namespace + "/" + name;
    }
}
